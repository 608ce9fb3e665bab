using AgentMemory.Retrieval;

namespace AgentMemory.Agents;

/// <summary>
/// Finds a memory by its content (same type, same text ignoring case and white space; see <see cref="ContentIdentity"/>),
/// so remembering known content reinforces it instead of duplicating it. Keeps each slot's content identity.
/// </summary>
internal sealed class ContentIndex(int capacity)
{
    private readonly Dictionary<ContentKey, int> _byContent = [];
    private ulong[] _identity = new ulong[capacity];
    private int _collisions;

    public ulong IdentityAt(int slot) => _identity[slot];

    /// <summary>The slot holding content of this identity and type, or -1 (the caller compares the text itself).</summary>
    public int Find(MemoryType type, ulong identity) => _byContent.TryGetValue(new ContentKey(type, identity), out var slot) ? slot : -1;

    public void Add(int slot, MemoryType type, ulong identity)
    {
        _identity[slot] = identity;
        if (!_byContent.TryAdd(new ContentKey(type, identity), slot))
        {
            // An update made two memories identical (or, once in 2^64, two contents share a hash); removal must then
            // look for the other one.
            _collisions++;
        }
    }

    /// <summary>Takes the slot out; another live slot with the same identity and type (see <paramref name="typeAt"/>) takes over the key.</summary>
    public void Remove(int slot, MemoryType type, int slotCount, Func<int, MemoryType?> typeAt)
    {
        var key = new ContentKey(type, _identity[slot]);
        _identity[slot] = 0;
        if (!_byContent.TryGetValue(key, out var mapped) || mapped != slot)
        {
            return;
        }

        _byContent.Remove(key);
        if (_collisions == 0)
        {
            return;
        }

        for (var other = 0; other < slotCount; other++)
        {
            if (other != slot && typeAt(other) == type && _identity[other] == key.Identity)
            {
                _byContent[key] = other;
                break;
            }
        }
    }

    public void Grow(int capacity) => Array.Resize(ref _identity, capacity);

    private readonly record struct ContentKey(MemoryType Type, ulong Identity);
}
