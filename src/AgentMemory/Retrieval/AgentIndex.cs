using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Numerics.Tensors;

namespace AgentMemory.Retrieval;

/// <summary>
/// One agent's memories in process: the source of truth for reads and recall while the agent is cached. Slots hold
/// the entries and, side by side in arrays, what scanning needs (type, importance, times, utility, vector), so a
/// recall walks contiguous memory. Vectors stay in the memories' own arrays (<see cref="SlotVectors"/>). Guarded by a reader-writer lock:
/// mutations take <see cref="EnterWrite"/>, reads and recall <see cref="EnterRead"/>; the slot methods below expect
/// the caller to hold the right one.
/// </summary>
internal sealed partial class AgentIndex
{
    private const byte DeadSlot = byte.MaxValue;

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Lock _admission = new();
    private readonly Stack<int> _free = new();
    private readonly Dictionary<Guid, int> _byId = [];
    private readonly Dictionary<ContentKey, int> _byContent = [];
    private readonly Dictionary<string, Postings> _postings = new(StringComparer.Ordinal);

    private MemoryEntry?[] _entries;
    private ulong[] _identity;
    private AgentState? _state;
    private AgentLearning? _learning;
    private byte[] _types;
    private byte[] _importance;
    private long[] _createdTicks;
    private long[] _lastAccessTicks;
    private long[] _expiresTicks;
    private float[] _utility;
    private int[] _queuedUpserts;
    private readonly SlotVectors _vectors;
    private int _slotCount;
    private long _totalLength;

    /// <summary>Each slot's indexed length (words), next to each other for the BM25 loop (no object per posting).</summary>
    private int[] _lengths;
    private int _pendingWrites;
    private HashSet<Guid>? _deferredAccess;
    private int _deferredAccessCount;
    private int _contentCollisions;
    private long _lastUsed;

    public AgentIndex(string agentId, string embeddingModel, int capacity = 16)
    {
        AgentId = agentId;
        EmbeddingModel = embeddingModel;
        capacity = Math.Max(capacity, 16);
        _entries = new MemoryEntry?[capacity];
        _identity = new ulong[capacity];
        _lengths = new int[capacity];
        _types = new byte[capacity];
        _importance = new byte[capacity];
        _createdTicks = new long[capacity];
        _lastAccessTicks = new long[capacity];
        _expiresTicks = new long[capacity];
        _utility = new float[capacity];
        _vectors = new SlotVectors(capacity);
        _queuedUpserts = new int[capacity];
        Touch();
    }

    public string AgentId { get; }

    /// <summary>The embedding model whose vectors this index compares; entries of other models have no vector here.</summary>
    public string EmbeddingModel { get; }

    /// <summary>The agent's state as the store knows it (or will, once written); guarded by the write lock.</summary>
    public AgentState? State
    {
        get => _state;
        set
        {
            _state = value;
            if (_learning is null || value is null)
            {
                _learning = AgentLearning.From(value);
            }
        }
    }

    /// <summary>What the agent learned from outcomes about finding memories (read under a lock, changed under the write lock).</summary>
    public AgentLearning Learning => _learning ??= new AgentLearning();

    /// <summary>The words a memory is indexed under (caller holds a lock).</summary>
    public IReadOnlyList<string> TermsAt(int slot)
    {
        var terms = TermsOf(_entries[slot]!);
        var words = new string[terms.Terms.Length];
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = terms.Terms[i].Key;
        }

        terms.Release();
        return words;
    }

    /// <summary>Set (under the write lock) when the index was evicted or the agent deleted; callers then fetch anew.</summary>
    public bool IsRetired { get; set; }

    /// <summary>How many memories the index holds (caller holds a lock).</summary>
    public int Count => _byId.Count;

    /// <summary>Changes of this agent queued but not yet written; an index with pending writes is never evicted.</summary>
    public int PendingWrites => Volatile.Read(ref _pendingWrites);

    /// <summary>When the index was last used (<see cref="Environment.TickCount64"/>), for least-recently-used eviction.</summary>
    public long LastUsed => Volatile.Read(ref _lastUsed);

    public void Touch() => Volatile.Write(ref _lastUsed, Environment.TickCount64);

    public void AddPendingWrites(int count) => Interlocked.Add(ref _pendingWrites, count);

    /// <summary>
    /// Takes the read lock. Readers and writers first pass the same admission gate, so a steady stream of writers
    /// cannot starve recall (the reader-writer lock alone always lets a waiting writer go first).
    /// </summary>
    public ReadScope EnterRead()
    {
        lock (_admission)
        {
            _lock.EnterReadLock();
        }

        return new ReadScope(_lock);
    }

    /// <summary>Takes the write lock, through the same admission gate as readers.</summary>
    public WriteScope EnterWrite()
    {
        lock (_admission)
        {
            _lock.EnterWriteLock();
        }

        return new WriteScope(_lock);
    }

    public MemoryEntry? Get(Guid id) => _byId.TryGetValue(id, out var slot) ? _entries[slot] : null;

    public int SlotOf(Guid id) => _byId.TryGetValue(id, out var slot) ? slot : -1;

    public MemoryEntry EntryAt(int slot) => _entries[slot]!;

    /// <summary>The slot of the memory of this type with the same content identity (<see cref="ContentIdentity"/>), or -1.</summary>
    public int SlotOfContent(MemoryType type, string content, ulong identity) =>
        _byContent.TryGetValue(new ContentKey(type, identity), out var slot) && ContentIdentity.Same(_entries[slot]!.Content, content) ? slot : -1;

    /// <summary>Adds a new memory (its id must not be in the index); the index takes the terms (and releases them).</summary>
    public int Add(MemoryEntry entry, ulong identity, TermCounts terms)
    {
        AssertWriter();
        var slot = _free.Count > 0 ? _free.Pop() : NextSlot();
        _byId.Add(entry.Id, slot);
        _queuedUpserts[slot] = 0;
        _identity[slot] = identity;
        AddContentKey(slot, entry.Type, identity);
        SetScalars(slot, entry);
        AddTerms(slot, terms);
        SetVector(slot, entry);
        return slot;
    }

    /// <summary>
    /// Replaces the entry in a slot with a newer snapshot of the same memory. Pass the new content identity and
    /// terms when content or tags changed (the index takes them), <see langword="null"/> to keep them.
    /// </summary>
    public void Replace(int slot, MemoryEntry entry, ulong? identity = null, TermCounts? terms = null)
    {
        AssertWriter();
        var old = _entries[slot]!;
        Debug.Assert(old.Id == entry.Id, "Replace keeps the memory id.");
        var newIdentity = identity ?? _identity[slot];
        if (old.Type != entry.Type || newIdentity != _identity[slot])
        {
            RemoveContentKey(slot, old.Type);
            _identity[slot] = newIdentity;
            AddContentKey(slot, entry.Type, newIdentity);
        }

        if (terms is not null)
        {
            // Counted again from the entry still in the slot, before it is replaced.
            RemoveTerms(slot);
        }

        SetScalars(slot, entry);
        if (terms is { } replaced)
        {
            AddTerms(slot, replaced);
        }

        var sameVector = old.Embedding is { } before && entry.Embedding is { } after && before.Equals(after)
            && string.Equals(old.EmbeddingModel, entry.EmbeddingModel, StringComparison.Ordinal);
        if (!sameVector)
        {
            SetVector(slot, entry);
        }
    }

    /// <summary>Counts an upsert of the memory put in the write queue (caller holds the write lock).</summary>
    public void NoteUpsertQueued(Guid id)
    {
        AssertWriter();
        if (_byId.TryGetValue(id, out var slot))
        {
            _queuedUpserts[slot]++;
        }
    }

    /// <summary>Whether an upsert of the memory in <paramref name="slot"/> waits in the queue (caller holds the write lock).</summary>
    public bool HasQueuedUpsert(int slot) => _queuedUpserts[slot] > 0;

    /// <summary>
    /// Called by the writer as it takes queued upserts of this agent (one read lock for all of them): each memory's
    /// latest snapshot, which is what gets written (so an embedding computed meanwhile travels with the first write
    /// instead of causing a second one), or <see langword="null"/> when the memory is gone from the index.
    /// </summary>
    public MemoryEntry?[] TakeQueuedUpserts(IReadOnlyList<Guid> ids)
    {
        var latest = new MemoryEntry?[ids.Count];
        using (EnterRead())
        {
            if (IsRetired)
            {
                return latest;
            }

            for (var i = 0; i < ids.Count; i++)
            {
                if (!_byId.TryGetValue(ids[i], out var slot))
                {
                    continue;
                }

                if (Interlocked.Decrement(ref _queuedUpserts[slot]) < 0)
                {
                    Interlocked.Exchange(ref _queuedUpserts[slot], 0);
                }

                latest[i] = _entries[slot];
            }
        }

        return latest;
    }

    /// <summary>
    /// The position in <paramref name="ids"/> of the first memory that is still in the index without an embedding (one
    /// read lock for all), or -1. The writer holds such a memory's new upsert back for a batch, so the embedding being
    /// computed is written with it.
    /// </summary>
    public int FirstWithoutEmbedding(List<Guid> ids)
    {
        using (EnterRead())
        {
            if (IsRetired)
            {
                return -1;
            }

            for (var i = 0; i < ids.Count; i++)
            {
                if (_byId.TryGetValue(ids[i], out var slot) && _entries[slot] is { Embedding: null })
                {
                    return i;
                }
            }
        }

        return -1;
    }

    /// <summary>Whether access statistics wait for queue room (see <see cref="DeferAccess"/>).</summary>
    public bool HasDeferredAccess => Volatile.Read(ref _deferredAccessCount) > 0;

    /// <summary>
    /// Remembers that a memory's access statistics changed while the write queue had no room, so they are written
    /// later (next recall with room, or flush) instead of being lost. Counts as a pending write, so the agent is not
    /// evicted meanwhile. Caller holds the write lock.
    /// </summary>
    public void DeferAccess(Guid id)
    {
        AssertWriter();
        _deferredAccess ??= [];
        if (_deferredAccess.Add(id))
        {
            if (Interlocked.Increment(ref _deferredAccessCount) == 1)
            {
                AddPendingWrites(1);
            }
        }
    }

    /// <summary>The current snapshots of memories with deferred access statistics, at most <paramref name="max"/>; they stop being deferred. Caller holds the write lock.</summary>
    public List<MemoryEntry> TakeDeferredAccess(int max)
    {
        AssertWriter();
        var taken = new List<MemoryEntry>();
        if (_deferredAccess is null || max <= 0)
        {
            return taken;
        }

        // Ids of memories forgotten meanwhile are dropped along the way; they have nothing left to write.
        var visited = new List<Guid>();
        foreach (var id in _deferredAccess)
        {
            if (taken.Count == max)
            {
                break;
            }

            visited.Add(id);
            if (_byId.TryGetValue(id, out var slot))
            {
                taken.Add(_entries[slot]!);
            }
        }

        foreach (var id in visited)
        {
            _deferredAccess.Remove(id);
        }

        // The agent stops counting as having a pending write when nothing is deferred any more.
        if (Interlocked.Exchange(ref _deferredAccessCount, _deferredAccess.Count) > 0 && _deferredAccess.Count == 0)
        {
            AddPendingWrites(-1);
        }

        return taken;
    }

    /// <summary>How many memories have deferred access statistics.</summary>
    public int DeferredAccessCount => Volatile.Read(ref _deferredAccessCount);

    /// <summary>Replaces only the snapshot, its access statistics, utility and importance (no content, tag or vector change).</summary>
    public void ReplaceStatistics(int slot, MemoryEntry entry)
    {
        AssertWriter();
        Debug.Assert(
            _entries[slot]!.Content == entry.Content && _entries[slot]!.Tags.SequenceEqual(entry.Tags, StringComparer.Ordinal),
            "The slot's terms are counted from its entry: content and tags must not change here.");
        _entries[slot] = entry;
        _lastAccessTicks[slot] = entry.LastAccessedAt.UtcTicks;
        _utility[slot] = (float)entry.Utility;
        _importance[slot] = (byte)entry.Importance;
    }

    public void Remove(int slot)
    {
        AssertWriter();
        var entry = _entries[slot]!;
        _byId.Remove(entry.Id);
        RemoveContentKey(slot, entry.Type);
        RemoveTerms(slot);
        _entries[slot] = null;
        _identity[slot] = 0;
        _types[slot] = DeadSlot;
        _vectors.Clear(slot);
        _queuedUpserts[slot] = 0;
        _free.Push(slot);
    }

    /// <summary>All live entries (caller holds a lock).</summary>
    public IEnumerable<MemoryEntry> Entries()
    {
        for (var slot = 0; slot < _slotCount; slot++)
        {
            if (_entries[slot] is { } entry)
            {
                yield return entry;
            }
        }
    }

    /// <summary>Whether the entry's embedding can be compared in this index.</summary>
    public bool HasUsableEmbedding(MemoryEntry entry) =>
        entry.Embedding is { Length: > 0 } vector
        && string.Equals(entry.EmbeddingModel, EmbeddingModel, StringComparison.Ordinal)
        && (_vectors.Dimensions == 0 || vector.Length == _vectors.Dimensions);

    private int NextSlot()
    {
        if (_slotCount == _entries.Length)
        {
            Grow(_entries.Length * 2);
        }

        return _slotCount++;
    }

    private void Grow(int capacity)
    {
        Array.Resize(ref _entries, capacity);
        Array.Resize(ref _identity, capacity);
        Array.Resize(ref _lengths, capacity);
        Array.Resize(ref _types, capacity);
        Array.Resize(ref _importance, capacity);
        Array.Resize(ref _createdTicks, capacity);
        Array.Resize(ref _lastAccessTicks, capacity);
        Array.Resize(ref _expiresTicks, capacity);
        Array.Resize(ref _utility, capacity);
        _vectors.Grow(capacity);
        Array.Resize(ref _queuedUpserts, capacity);
    }

    private void SetScalars(int slot, MemoryEntry entry)
    {
        _entries[slot] = entry;
        _types[slot] = (byte)entry.Type;
        _importance[slot] = (byte)entry.Importance;
        _createdTicks[slot] = entry.CreatedAt.UtcTicks;
        _lastAccessTicks[slot] = entry.LastAccessedAt.UtcTicks;
        _expiresTicks[slot] = entry.ExpiresAt?.UtcTicks ?? long.MaxValue;
        _utility[slot] = (float)entry.Utility;
    }

    private void SetVector(int slot, MemoryEntry entry)
    {
        if (!HasUsableEmbedding(entry))
        {
            _vectors.Clear(slot);
            return;
        }

        _vectors.Set(slot, entry.Embedding!.Value);
    }

    private void AddContentKey(int slot, MemoryType type, ulong identity)
    {
        if (!_byContent.TryAdd(new ContentKey(type, identity), slot))
        {
            // An update made two memories identical (or, once in 2^64, two contents share a hash); removal must then
            // look for the other one.
            _contentCollisions++;
        }
    }

    private void RemoveContentKey(int slot, MemoryType type)
    {
        var key = new ContentKey(type, _identity[slot]);
        if (_byContent.TryGetValue(key, out var mapped) && mapped == slot)
        {
            _byContent.Remove(key);
            if (_contentCollisions == 0)
            {
                return;
            }

            // Another memory with the same identity (possible after an update) takes over the key.
            for (var other = 0; other < _slotCount; other++)
            {
                if (other != slot && _entries[other] is { } e && e.Type == type
                    && _identity[other] == key.Identity)
                {
                    _byContent[key] = other;
                    break;
                }
            }
        }
    }

    /// <summary>
    /// Posts the slot's terms. The index keeps no per-memory copy of them (an array of term references per memory was
    /// the largest thing the collector traced for each one): <see cref="RemoveTerms"/> counts them again from the
    /// slot's entry, which is why every change of a memory's content or tags passes its new terms. The terms are
    /// released once posted: whoever hands terms to <see cref="Add"/> or <see cref="Replace"/> hands them over.
    /// </summary>
    private void AddTerms(int slot, TermCounts terms)
    {
        Debug.Assert(terms.Length == TermsOf(_entries[slot]!).Length, "The terms are those of the slot's entry.");
        _lengths[slot] = terms.Length;
        _totalLength += terms.Length;
        foreach (var (term, count) in terms.Terms)
        {
            // Postings are values: changed in place in the dictionary, never through a copy.
            CollectionsMarshal.GetValueRefOrAddDefault(_postings, term, out _).Add(slot, count);
        }

        terms.Release();
    }

    /// <summary>Takes the slot's terms out of the postings (before its entry changes or goes).</summary>
    private void RemoveTerms(int slot)
    {
        if (_entries[slot] is not { } entry || _lengths[slot] == 0)
        {
            return;
        }

        _totalLength -= _lengths[slot];
        var terms = TermsOf(entry);
        foreach (var (term, _) in terms.Terms)
        {
            ref var postings = ref CollectionsMarshal.GetValueRefOrNullRef(_postings, term);
            if (!Unsafe.IsNullRef(ref postings))
            {
                postings.Remove(slot);
                if (postings.Count == 0)
                {
                    _postings.Remove(term);
                }
            }
        }

        terms.Release();
        _lengths[slot] = 0;
    }

    private static TermCounts TermsOf(MemoryEntry entry) => TermCounts.ForMemory(entry.Content, entry.Tags);

    [Conditional("DEBUG")]
    private void AssertWriter() => Debug.Assert(_lock.IsWriteLockHeld, "The caller must hold the write lock.");

    private readonly record struct ContentKey(MemoryType Type, ulong Identity);

    public readonly ref struct ReadScope(ReaderWriterLockSlim gate)
    {
        public void Dispose() => gate.ExitReadLock();
    }

    public readonly ref struct WriteScope(ReaderWriterLockSlim gate)
    {
        public void Dispose() => gate.ExitWriteLock();
    }
}
