namespace AgentMemory.Persistence;

/// <summary>
/// The writer's policy for new memories whose embedding is still being computed, decided from the records alone: an
/// insert without an embedding is parked, with every later record of the same memory, until the memory's
/// embeddings-attached record arrives (then they are written together: one row, with the embedding), until it has
/// waited <see cref="PersistenceOptions.BatchInterval"/>, or until something must be durable now (a flush, a
/// write-through caller, shutdown). Records of other memories are not held up by a parked one; erasing an agent
/// releases its parked memories in front of the erasure, which then drops them.
/// </summary>
internal sealed class EmbeddingWait(TimeProvider time, TimeSpan patience)
{
    private readonly Dictionary<(string AgentId, Guid MemoryId), Parked> _parked = new(MemoryKeyComparer.Instance);
    private readonly List<ChangeRecord> _output = [];

    /// <summary>How many memories are parked.</summary>
    public int Count => _parked.Count;

    /// <summary>The lowest queue number among parked records, or <see cref="long.MaxValue"/> when none is parked.</summary>
    public long LowestSequence
    {
        get
        {
            var lowest = long.MaxValue;
            foreach (var parked in _parked.Values)
            {
                lowest = Math.Min(lowest, parked.First.Sequence);
            }

            return lowest;
        }
    }

    /// <summary>
    /// Takes the records collected for a pass and returns those to write now, in an order that keeps each memory's
    /// records in sequence. With <paramref name="releaseAll"/> nothing is parked and every parked record is written.
    /// The list returned is this wait's own, reused by the next call (a large batch's list is above the large-object
    /// size, and a fresh one for every batch cost the writer its zeroing and page faults).
    /// </summary>
    public List<ChangeRecord> Plan(List<ChangeRecord> batch, bool releaseAll)
    {
        var output = _output;
        output.Clear();
        output.EnsureCapacity(batch.Count + _parked.Count);
        if (releaseAll)
        {
            ReleaseWhere(static _ => true, output);
            output.AddRange(batch);
            return output;
        }

        var now = time.GetTimestamp();
        ReleaseWhere(p => time.GetElapsedTime(p.Since, now) >= patience, output);
        foreach (var record in batch)
        {
            switch (record.Kind)
            {
                case ChangeKind.EraseAgent:
                    ReleaseWhere(p => string.Equals(p.First.AgentId, record.AgentId, StringComparison.Ordinal), output);
                    output.Add(record);
                    break;

                case ChangeKind.EmbeddingsAttached:
                    // The parked memories whose embedding is here are written now, once, with it.
                    foreach (var entry in record.Entries)
                    {
                        if (_parked.Count > 0 && _parked.Remove((entry.AgentId, entry.Id), out var embedded))
                        {
                            embedded.AddTo(output);
                        }
                    }

                    output.Add(record);
                    break;

                case ChangeKind.Insert or ChangeKind.Update or ChangeKind.Delete or ChangeKind.Access
                    when _parked.Count > 0 && _parked.TryGetValue((record.AgentId, record.MemoryId), out var parked):
                    if (record.Entry?.Embedding is not null)
                    {
                        // A snapshot with the embedding (an update made after it was computed): written now, once.
                        _parked.Remove((record.AgentId, record.MemoryId));
                        parked.AddTo(output);
                        output.Add(record);
                    }
                    else
                    {
                        _parked[(record.AgentId, record.MemoryId)] = parked.With(record);
                    }

                    break;

                case ChangeKind.Insert when record.Entry!.Embedding is null:
                    _parked.Add((record.AgentId, record.MemoryId), new Parked(record, null, now));
                    break;

                default:
                    output.Add(record);
                    break;
            }
        }

        return output;
    }

    private void ReleaseWhere(Func<Parked, bool> release, List<ChangeRecord> output)
    {
        if (_parked.Count == 0)
        {
            return;
        }

        List<(string, Guid)>? released = null;
        foreach (var (key, parked) in _parked)
        {
            if (release(parked))
            {
                parked.AddTo(output);
                (released ??= []).Add(key);
            }
        }

        foreach (var key in released ?? [])
        {
            _parked.Remove(key);
        }
    }

    /// <summary>
    /// The records of one parked memory, oldest first (most memories wait with their insert alone, kept without a
    /// list), and when it was parked.
    /// </summary>
    private readonly record struct Parked(ChangeRecord First, List<ChangeRecord>? More, long Since)
    {
        public Parked With(ChangeRecord record)
        {
            var more = More ?? [];
            more.Add(record);
            return this with { More = more };
        }

        public void AddTo(List<ChangeRecord> output)
        {
            output.Add(First);
            if (More is not null)
            {
                output.AddRange(More);
            }
        }
    }
}
