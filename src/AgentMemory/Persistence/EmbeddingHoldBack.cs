namespace AgentMemory.Persistence;

/// <summary>
/// The writer's policy for new memories whose embedding is still being computed, decided from the records alone: the
/// batch ends before the first insert whose memory has no embedding in its latest snapshot in the batch, so that the
/// embedding (which arrives as a newer snapshot record) travels with the memory's first write instead of rewriting the
/// row. Nothing is held before an urgent record (a flush, a write-through caller), nothing a second time, and the
/// records after a held one wait with it, so the order of changes is kept.
/// </summary>
internal static class EmbeddingHoldBack
{
    /// <summary>How many records from the start of <paramref name="batch"/> to write now.</summary>
    /// <param name="batch">The records taken, in queue order.</param>
    /// <param name="heldOnce">How many records at the start of the batch were held back once already.</param>
    public static int Cut(List<ChangeRecord> batch, int heldOnce)
    {
        var from = heldOnce;
        for (var i = batch.Count - 1; i >= from; i--)
        {
            if (batch[i].IsUrgent)
            {
                from = i + 1;
                break;
            }
        }

        if (from >= batch.Count)
        {
            return batch.Count;
        }

        // Each memory's latest snapshot in the batch: whether it carries an embedding.
        Dictionary<(string, Guid), bool>? embedded = null;
        for (var i = from; i < batch.Count; i++)
        {
            if (batch[i] is { Kind: ChangeKind.Insert or ChangeKind.Update, Entry: { } entry })
            {
                (embedded ??= [])[(entry.AgentId, entry.Id)] = entry.Embedding is not null;
            }
        }

        for (var i = from; i < batch.Count; i++)
        {
            if (batch[i] is { Kind: ChangeKind.Insert, Entry: { } entry } && !embedded![(entry.AgentId, entry.Id)])
            {
                return i;
            }
        }

        return batch.Count;
    }
}
