using System.Diagnostics;
using AgentMemory.Embeddings;
using AgentMemory.Learning;
using AgentMemory.Persistence;
using AgentMemory.Retrieval;
using AgentMemory.Storage;

namespace AgentMemory.Agents;

/// <summary>
/// One agent's memories in this process, loaded whole from the store on first use: the source of truth for reads
/// and recall while the agent is cached, a replica of what the store holds. It owns the agent's lock and its state:
/// the memory table (entries by slot), and beside it the word index, the vectors, the content index, the scan
/// columns, the agent's state and what it learned. Mutations take <see cref="EnterWrite"/>, reads and recall
/// <see cref="EnterRead"/>; the slot methods expect the caller to hold the right one. It never writes to the store:
/// whoever changes it emits the change records (see <c>Mutation</c>).
/// </summary>
internal sealed partial class AgentReplica : IEmbeddingTarget
{
    private readonly AgentLock _lock = new();
    private readonly Stack<int> _free = new();
    private readonly Dictionary<Guid, int> _byId = [];
    private readonly ContentIndex _content;
    private readonly LexicalIndex _lexical;
    private readonly SlotVectors _vectors;
    private readonly SlotColumns _columns;
    private readonly FormationOrder _order;

    /// <summary>The slots of memories made from others (with source ids): what forgetting a memory must look through.</summary>
    private readonly HashSet<int> _derived = [];

    private MemoryEntry?[] _entries;

    /// <summary>The queue number of each slot's latest snapshot record (see <see cref="WriteQueue.IsTaken"/>).</summary>
    private long[] _lastWrite;
    private int _slotCount;
    private AgentState? _state;
    private AgentLearning? _learning;
    private long _lastUsed;

    public AgentReplica(string agentId, string embeddingModel, int capacity = 16)
    {
        AgentId = agentId;
        EmbeddingModel = embeddingModel;
        capacity = Math.Max(capacity, 16);
        _entries = new MemoryEntry?[capacity];
        _lastWrite = new long[capacity];
        _content = new ContentIndex(capacity);
        _lexical = new LexicalIndex(capacity);
        _vectors = new SlotVectors(capacity);
        _columns = new SlotColumns(capacity);
        _order = new FormationOrder(capacity);
        Deferred = new DeferredAccess(Pin);
        Touch();
    }

    public string AgentId { get; }

    /// <summary>The embedding model whose vectors this replica compares; entries of other models have no vector here.</summary>
    public string EmbeddingModel { get; }

    /// <summary>Held while any work of this agent is not saved; the cache never evicts a pinned agent.</summary>
    public WritePin Pin { get; } = new();

    /// <summary>Access statistics waiting for queue room.</summary>
    public DeferredAccess Deferred { get; }

    /// <summary>The agent's state as the store knows it (or will, once written); guarded by the write lock.</summary>
    public AgentState? State
    {
        get => _state;
        set
        {
            _state = value;
            if (_learning is null || value is null)
            {
                _learning = AgentLearning.FromStored(value);
            }
        }
    }

    /// <summary>What the agent learned from outcomes about finding memories (read under a lock, changed under the write lock).</summary>
    public AgentLearning Learning => _learning ??= new AgentLearning();

    /// <summary>Whether what the agent learned shapes its recall: not while its learning is switched off.</summary>
    public bool LearningApplies => _state is not { LearningEnabled: false };

    /// <summary>What recall uses of the agent's learning: <see cref="Learning"/>, or nothing while learning is off.</summary>
    public AgentLearning AppliedLearning => LearningApplies ? Learning : AgentLearning.Neutral;

    /// <summary>
    /// The queue number of the agent's erasure when this replica replaced an erased one (0: none). Until it is written,
    /// other hosts' changes of the agent wait: they predate the erasure, which deletes them.
    /// </summary>
    public long LastEraseWrite { get; set; }

    /// <summary>The queue number of the latest record of the agent's state (0: none since it was loaded).</summary>
    public long LastStateWrite { get; set; }

    /// <summary>Takes what the agent learned from <see cref="State"/> as stored (caller holds the write lock).</summary>
    public void ReloadLearning() => _learning = AgentLearning.FromStored(_state);

    /// <summary>Forgets what the agent learned about finding memories (caller holds the write lock).</summary>
    public void ResetLearning() => _learning = new AgentLearning();

    /// <summary>Set (under the write lock) when the replica was evicted or the agent erased; callers then fetch anew.</summary>
    public bool IsRetired { get; set; }

    /// <summary>How many memories the replica holds (caller holds a lock).</summary>
    public int Count => _byId.Count;

    /// <summary>When the replica was last used (<see cref="Environment.TickCount64"/>), for least-recently-used eviction.</summary>
    public long LastUsed => Volatile.Read(ref _lastUsed);

    public void Touch() => Volatile.Write(ref _lastUsed, Environment.TickCount64);

    public AgentLock.ReadScope EnterRead() => _lock.EnterRead();

    public AgentLock.WriteScope EnterWrite() => _lock.EnterWrite();

    /// <summary>The write lock if it is free now (see <see cref="AgentLock.TryEnterWrite"/>).</summary>
    public bool TryEnterWrite(out AgentLock.WriteScope scope) => _lock.TryEnterWrite(out scope);

    public MemoryEntry? Get(Guid id) => _byId.TryGetValue(id, out var slot) ? _entries[slot] : null;

    public int SlotOf(Guid id) => _byId.TryGetValue(id, out var slot) ? slot : -1;

    public MemoryEntry EntryAt(int slot) => _entries[slot]!;

    /// <summary>The words a memory is indexed under (caller holds a lock).</summary>
    public IReadOnlyList<string> TermsAt(int slot) => LexicalIndex.Words(_entries[slot]!);

    /// <summary>The slot of the memory of this type with the same content (<see cref="ContentIdentity"/>), or -1.</summary>
    public int SlotOfContent(MemoryType type, string content, ulong identity) =>
        _content.Find(type, identity) is var slot and >= 0 && ContentIdentity.Same(_entries[slot]!.Content, content) ? slot : -1;

    /// <summary>The queue number of the slot's latest snapshot record, 0 when none was queued since the memory was loaded.</summary>
    public long LastWriteAt(int slot) => _lastWrite[slot];

    /// <summary>The memories this host deleted whose deletions are not written yet, with their queue numbers.</summary>
    private Dictionary<Guid, long>? _deleting;

    /// <summary>Notes the queue number of a memory's deletion (caller holds the write lock).</summary>
    public void NoteDelete(Guid id, long sequence) => (_deleting ??= [])[id] = sequence;

    /// <summary>
    /// Whether this host changed or deleted the memory and the change was not written before
    /// <paramref name="writtenBelow"/> (the writer's mark when the store was read; caller holds the write lock): the
    /// row read may then lack that change, so another host's version of the memory waits for the store's row that
    /// combines both.
    /// </summary>
    public bool HasUnwrittenChange(Guid id, long writtenBelow)
    {
        if (WaitsForOwnWrite(id, writtenBelow))
        {
            return true;
        }

        _deleting?.Remove(id);
        return false;
    }

    /// <summary>
    /// <see cref="HasUnwrittenChange"/> without forgetting a written deletion, so a read lock is enough: the change feed
    /// asks it before fetching a waiting memory again, since a row fetched while the wait lasts could not be applied.
    /// </summary>
    public bool WaitsForOwnWrite(Guid id, long writtenBelow) =>
        LastEraseWrite >= writtenBelow
        || (_deleting is { Count: > 0 } deleting && deleting.TryGetValue(id, out var deletion) && deletion >= writtenBelow)
        || (_byId.TryGetValue(id, out var slot) && _lastWrite[slot] >= writtenBelow && _lastWrite[slot] != 0);

    /// <summary>Forgets deletions that are written (caller holds the write lock).</summary>
    public void ForgetWrittenDeletions(WriteQueue queue)
    {
        if (_deleting is { Count: > 0 } deleting)
        {
            foreach (var (id, sequence) in deleting.ToList())
            {
                if (queue.IsWritten(sequence))
                {
                    deleting.Remove(id);
                }
            }
        }
    }

    /// <summary>Notes the queue number of a snapshot record of the memory in <paramref name="slot"/> (caller holds the write lock).</summary>
    public void NoteWrite(int slot, long sequence) => _lastWrite[slot] = sequence;

    /// <summary>Adds a new memory (its id must not be in the replica); the replica takes the terms (and releases them).</summary>
    public int Add(MemoryEntry entry, ulong identity, TermCounts terms)
    {
        AssertWriter();
        var slot = _free.Count > 0 ? _free.Pop() : NextSlot();
        _byId.Add(entry.Id, slot);
        _lastWrite[slot] = 0;
        _entries[slot] = entry;
        _order.Add(slot, entry.Id, _entries);
        _columns.Set(slot, entry);
        _content.Add(slot, entry.Type, identity);
        Debug.Assert(terms.Length == LexicalIndex.TermsOf(entry).Length, "The terms are those of the entry.");
        _lexical.Add(slot, terms);
        SetVector(slot, entry);
        NoteDerived(slot, entry);
        return slot;
    }

    /// <summary>
    /// Replaces the entry in a slot with a newer snapshot of the same memory. Pass the new content identity and
    /// terms when content or tags changed (the replica takes them), <see langword="null"/> to keep them.
    /// </summary>
    public void Replace(int slot, MemoryEntry entry, ulong? identity = null, TermCounts? terms = null)
    {
        AssertWriter();
        var old = _entries[slot]!;
        Debug.Assert(old.Id == entry.Id, "Replace keeps the memory id.");
        var newIdentity = identity ?? _content.IdentityAt(slot);
        if (old.Type != entry.Type || newIdentity != _content.IdentityAt(slot))
        {
            _content.Remove(slot, old.Type, _slotCount, _columns.TypeAt);
            _content.Add(slot, entry.Type, newIdentity);
        }

        if (terms is not null)
        {
            // Counted again from the entry still in the slot, before it is replaced.
            _lexical.Remove(slot, old);
        }

        _entries[slot] = entry;
        _columns.Set(slot, entry);
        NoteDerived(slot, entry);
        if (terms is { } replaced)
        {
            _lexical.Add(slot, replaced);
        }

        var sameVector = old.Embedding is { } before && entry.Embedding is { } after && before.Equals(after)
            && string.Equals(old.EmbeddingModel, entry.EmbeddingModel, StringComparison.Ordinal);
        if (!sameVector)
        {
            SetVector(slot, entry);
        }
    }

    /// <summary>Replaces only the snapshot, its access statistics, utility and importance (no content, tag or vector change).</summary>
    public void ReplaceStatistics(int slot, MemoryEntry entry)
    {
        AssertWriter();
        Debug.Assert(
            _entries[slot]!.Content == entry.Content && _entries[slot]!.Tags.SequenceEqual(entry.Tags, StringComparer.Ordinal),
            "The slot's terms are counted from its entry: content and tags must not change here.");
        _entries[slot] = entry;
        _columns.SetStatistics(slot, entry);
    }

    public void Remove(int slot)
    {
        AssertWriter();
        var entry = _entries[slot]!;
        _byId.Remove(entry.Id);
        _order.Remove(slot);
        _content.Remove(slot, entry.Type, _slotCount, _columns.TypeAt);
        _lexical.Remove(slot, entry);
        _entries[slot] = null;
        _columns.Kill(slot);
        _vectors.Clear(slot);
        _lastWrite[slot] = 0;
        _derived.Remove(slot);
        _free.Push(slot);
    }

    /// <summary>The memories made from others (caller holds a lock).</summary>
    public IEnumerable<MemoryEntry> DerivedEntries()
    {
        foreach (var slot in _derived)
        {
            yield return _entries[slot]!;
        }
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

    /// <summary>The live entries that pass the filter, in slot order (caller holds a lock).</summary>
    public List<MemoryEntry> Matching(CompiledFilter filter)
    {
        var matching = new List<MemoryEntry>();
        for (var slot = 0; slot < _slotCount; slot++)
        {
            if (_columns.Passes(slot, filter, _entries))
            {
                matching.Add(_entries[slot]!);
            }
        }

        return matching;
    }

    /// <summary>Whether the entry's embedding can be compared in this replica.</summary>
    public bool HasUsableEmbedding(MemoryEntry entry) =>
        entry.Embedding is { Length: > 0 } vector
        && string.Equals(entry.EmbeddingModel, EmbeddingModel, StringComparison.Ordinal)
        && (_vectors.Dimensions == 0 || vector.Length == _vectors.Dimensions);

    private int NextSlot()
    {
        if (_slotCount == _entries.Length)
        {
            var capacity = _entries.Length * 2;
            Array.Resize(ref _entries, capacity);
            Array.Resize(ref _lastWrite, capacity);
            _content.Grow(capacity);
            _lexical.Grow(capacity);
            _vectors.Grow(capacity);
            _columns.Grow(capacity);
            _order.Grow(capacity);
        }

        return _slotCount++;
    }

    private void NoteDerived(int slot, MemoryEntry entry)
    {
        if (entry.SourceIds.Count > 0)
        {
            _derived.Add(slot);
        }
        else if (_derived.Count > 0)
        {
            _derived.Remove(slot);
        }
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

    [Conditional("DEBUG")]
    private void AssertWriter() => Debug.Assert(_lock.IsWriteLockHeld, "The caller must hold the write lock.");
}
