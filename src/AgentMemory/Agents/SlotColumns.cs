using AgentMemory.Retrieval;

namespace AgentMemory.Agents;

/// <summary>
/// What scanning needs of each slot, side by side in arrays (type, importance, times, utility), so a recall walks
/// contiguous memory; and the one filter predicate, used by recall and by listing alike.
/// </summary>
internal sealed class SlotColumns(int capacity)
{
    /// <summary>The type of a slot that holds no memory.</summary>
    public const byte Dead = byte.MaxValue;

    private byte[] _types = new byte[capacity];
    private byte[] _importance = new byte[capacity];
    private long[] _createdTicks = new long[capacity];
    private long[] _lastAccessTicks = new long[capacity];
    private long[] _expiresTicks = new long[capacity];
    private float[] _utility = new float[capacity];

    public bool IsLive(int slot) => _types[slot] != Dead;

    public MemoryType? TypeAt(int slot) => _types[slot] == Dead ? null : (MemoryType)_types[slot];

    public void Set(int slot, MemoryEntry entry)
    {
        _types[slot] = (byte)entry.Type;
        _importance[slot] = (byte)entry.Importance;
        _createdTicks[slot] = entry.CreatedAt.UtcTicks;
        _lastAccessTicks[slot] = entry.LastAccessedAt.UtcTicks;
        _expiresTicks[slot] = entry.ExpiresAt?.UtcTicks ?? long.MaxValue;
        _utility[slot] = (float)entry.Utility;
    }

    /// <summary>Only what access statistics, utility and importance changes touch.</summary>
    public void SetStatistics(int slot, MemoryEntry entry)
    {
        _lastAccessTicks[slot] = entry.LastAccessedAt.UtcTicks;
        _utility[slot] = (float)entry.Utility;
        _importance[slot] = (byte)entry.Importance;
    }

    public void Kill(int slot) => _types[slot] = Dead;

    /// <summary>
    /// Whether the live slot passes the filter (not expired, of an allowed type, important enough, created in range,
    /// with every tag asked for, trusted when asked). A null filter passes every live slot.
    /// </summary>
    public bool Passes(int slot, CompiledFilter? filter, MemoryEntry?[] entries)
    {
        var type = _types[slot];
        if (type == Dead)
        {
            return false;
        }

        if (filter is null)
        {
            return true;
        }

        return _expiresTicks[slot] > filter.NowTicks
            && (filter.TypeMask & (1 << type)) != 0
            && _importance[slot] >= filter.MinImportance
            && _createdTicks[slot] >= filter.CreatedFromTicks
            && _createdTicks[slot] < filter.CreatedBeforeTicks
            && (filter.Tags is null || CompiledFilter.HasAllTags(entries[slot]!, filter.Tags))
            && (!filter.TrustedOnly || entries[slot]!.Trusted);
    }

    public long LastAccessTicks(int slot) => _lastAccessTicks[slot];

    public byte Importance(int slot) => _importance[slot];

    public float Utility(int slot) => _utility[slot];

    public void Grow(int capacity)
    {
        Array.Resize(ref _types, capacity);
        Array.Resize(ref _importance, capacity);
        Array.Resize(ref _createdTicks, capacity);
        Array.Resize(ref _lastAccessTicks, capacity);
        Array.Resize(ref _expiresTicks, capacity);
        Array.Resize(ref _utility, capacity);
    }
}
