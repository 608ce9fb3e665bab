using System.Diagnostics;
using AgentMemory.Shared;
using AgentMemory.Sqlite.Diagnostics;
using AgentMemory.Storage;
using Microsoft.Data.Sqlite;

namespace AgentMemory.Sqlite.Storage;

/// <summary>Applying change sets: one write transaction each, the merge rules of <see cref="MemoryPatch"/> in process.</summary>
internal sealed partial class SqliteMemoryStore
{
    private static readonly byte[] ErasureMark = new byte[16];

    /// <summary>
    /// Records a tombstone (<c>$id</c>: a memory's id, or <see cref="ErasureMark"/> for a whole agent) by this change
    /// set, or moves an existing one to it: every host reading the feed from before this set learns of the deletion.
    /// </summary>
    private const string RecordTombstone =
        "INSERT INTO tombstones (agent_id, memory_id, writer, seq, deleted_at) VALUES ($agent, $id, $writer, $seq, $now) " +
        "ON CONFLICT (agent_id, memory_id) DO UPDATE SET writer = excluded.writer, seq = excluded.seq, deleted_at = excluded.deleted_at";

    public async Task ApplyAsync(MemoryChangeSet changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.IsEmpty)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);

            // BEGIN IMMEDIATE: the write lock is taken first (waiting in the busy handler), so the transaction never
            // has to upgrade a read to a write and fail when another writer got in between.
            using var transaction = connection.BeginTransaction(deferred: false);
            if (!Write(connection, transaction, changes))
            {
                // This writer's set was applied before (its acknowledgement was lost): nothing more to do.
                transaction.Rollback();
                return;
            }

            transaction.Commit();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw SqliteErrors.Wrap($"write a batch of {changes.Count} changes", _connections.Path, ex);
        }

        _waiters.Wake(changes.Writer);
        SqliteLog.BatchWritten(_logger, changes.Inserts.Count + changes.Updates.Count, changes.Deletes.Count, changes.Accesses.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>Writes the set in the open transaction; <see langword="false"/> when this writer's set of that number was applied already.</summary>
    private bool Write(SqliteConnection connection, SqliteTransaction transaction, MemoryChangeSet changes)
    {
        var writer = SqliteValues.Id(changes.Writer);
        var now = SqliteValues.Time(_time.GetUtcNow());
        if (changes.Batch > 0)
        {
            using var batch = new Statement(
                connection, transaction,
                "INSERT INTO writers (writer, batch, written_at) VALUES ($writer, $batch, $now) " +
                "ON CONFLICT (writer) DO UPDATE SET batch = excluded.batch, written_at = excluded.written_at WHERE writers.batch < excluded.batch",
                "$writer", "$batch", "$now");
            if (batch.Run(writer, changes.Batch, now) == 0)
            {
                return false;
            }
        }

        long seq;
        using (var next = new Statement(connection, transaction, "UPDATE feed_state SET seq = seq + 1, last_writer = $writer RETURNING seq", "$writer"))
        using (var reader = next.Read(writer))
        {
            reader.Read();
            seq = reader.GetInt64(0);
        }

        using var row = new RowWriter(connection, transaction, writer, seq);
        if (changes.DeletedAgents.Count > 0)
        {
            EraseAgents(connection, transaction, changes.DeletedAgents, writer, seq, now);
        }

        if (changes.Agents.Count > 0)
        {
            UpsertAgents(connection, transaction, changes.Agents, writer, seq);
        }

        if (changes.CounterResets.Count + changes.CounterDeltas.Count > 0)
        {
            MoveCounters(connection, transaction, changes, writer, seq, now);
        }

        if (changes.Deletes.Count > 0)
        {
            DeleteMemories(connection, transaction, changes.Deletes, writer, seq, now);
        }

        var erasures = changes.Inserts.Count + changes.Updates.Count > 0 ? ErasuresByOthers(connection, transaction, changes, writer) : [];
        foreach (var entry in changes.Inserts)
        {
            if (erasures.TryGetValue(entry.AgentId, out var erasedAt) && SqliteValues.Time(entry.CreatedAt) <= erasedAt)
            {
                // Formed before another host erased its agent: only a repeated write of a stored memory goes on.
                if (row.Stored(entry.AgentId, entry.Id) is { } kept)
                {
                    row.Overwrite(MemoryPatch.ApplyInsert(kept.Entry, entry), kept);
                }
            }
            else if (!row.TryInsert(entry) && row.Stored(entry.AgentId, entry.Id) is { } stored)
            {
                row.Overwrite(MemoryPatch.ApplyInsert(stored.Entry, entry), stored);
            }
        }

        foreach (var patch in changes.Updates)
        {
            var entry = patch.Entry;
            if (row.Stored(entry.AgentId, entry.Id) is { } stored)
            {
                row.Overwrite(patch.ApplyTo(stored.Entry), stored);
            }
            else if (!row.Deleted(entry.AgentId, entry.Id)
                && !(erasures.TryGetValue(entry.AgentId, out var erasedAt) && SqliteValues.Time(entry.CreatedAt) <= erasedAt))
            {
                row.TryInsert(entry);
            }
        }

        if (changes.Accesses.Count > 0)
        {
            using var access = new Statement(
                connection, transaction,
                // An access moves only the statistics and accessed_seq: the feed sends hosts the totals, not the row.
                "UPDATE memories SET access_count = access_count + $count, last_accessed_at = max(last_accessed_at, $at), " +
                "accessed_seq = $seq WHERE agent_id = $agent AND id = $id",
                "$count", "$at", "$seq", "$agent", "$id");
            foreach (var a in changes.Accesses)
            {
                access.Run(a.Count, SqliteValues.Time(a.LastAccessedAt), seq, a.AgentId, SqliteValues.Id(a.MemoryId));
            }
        }

        return true;
    }

    /// <summary>Deletes the agents and everything of theirs, leaving a marker that keeps every host from writing them back.</summary>
    private static void EraseAgents(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<string> agentIds, byte[] writer, long seq, long now)
    {
        using var erase = new Statement(
            connection, transaction,
            "DELETE FROM memories WHERE agent_id = $agent; DELETE FROM agents WHERE agent_id = $agent; DELETE FROM agent_counters WHERE agent_id = $agent; " +
            RecordTombstone,
            "$agent", "$id", "$writer", "$seq", "$now");
        foreach (var agentId in agentIds.Distinct(StringComparer.Ordinal))
        {
            erase.Run(agentId, ErasureMark, writer, seq, now);
        }
    }

    /// <summary>Saves agent states (the last of each agent in the set wins); the first creation time is kept, and counters move only by deltas.</summary>
    private static void UpsertAgents(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<AgentState> agents, byte[] writer, long seq)
    {
        var latest = LatestAgentStates.Of(agents);
        using var upsert = new Statement(
            connection, transaction,
            "INSERT INTO agents (agent_id, created_at, learning_enabled, settings, writer, seq) VALUES ($agent, $created, $learning, $settings, $writer, $seq) " +
            "ON CONFLICT (agent_id) DO UPDATE SET learning_enabled = excluded.learning_enabled, settings = excluded.settings, writer = excluded.writer, seq = excluded.seq",
            "$agent", "$created", "$learning", "$settings", "$writer", "$seq");
        foreach (var agent in latest.Values)
        {
            upsert.Run(agent.AgentId, SqliteValues.Time(agent.CreatedAt), agent.LearningEnabled, SqliteValues.Json(agent.Settings), writer, seq);
        }
    }

    /// <summary>Clears and moves agents' counters, and marks each agent changed (creating those the file does not know), so hosts read its counters again.</summary>
    private static void MoveCounters(SqliteConnection connection, SqliteTransaction transaction, MemoryChangeSet changes, byte[] writer, long seq, long now)
    {
        using (var reset = new Statement(connection, transaction, "DELETE FROM agent_counters WHERE agent_id = $agent", "$agent"))
        {
            foreach (var agentId in changes.CounterResets)
            {
                reset.Run(agentId);
            }
        }

        using (var move = new Statement(
            connection, transaction,
            "INSERT INTO agent_counters (agent_id, key, value) VALUES ($agent, $key, $delta) ON CONFLICT (agent_id, key) DO UPDATE SET value = value + excluded.value",
            "$agent", "$key", "$delta"))
        {
            foreach (var (agentId, key, delta) in changes.CounterDeltas)
            {
                move.Run(agentId, key, delta);
            }
        }

        using var touch = new Statement(
            connection, transaction,
            "INSERT INTO agents (agent_id, created_at, writer, seq) VALUES ($agent, $now, $writer, $seq) " +
            "ON CONFLICT (agent_id) DO UPDATE SET writer = excluded.writer, seq = excluded.seq",
            "$agent", "$now", "$writer", "$seq");
        foreach (var agentId in changes.CounterResets.Concat(changes.CounterDeltas.Select(static d => d.AgentId)).Distinct(StringComparer.Ordinal))
        {
            touch.Run(agentId, now, writer, seq);
        }
    }

    /// <summary>Deletes memories, leaving tombstones that keep every host from writing them back.</summary>
    private static void DeleteMemories(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<MemoryKey> keys, byte[] writer, long seq, long now)
    {
        using var delete = new Statement(
            connection, transaction,
            "DELETE FROM memories WHERE agent_id = $agent AND id = $id; " + RecordTombstone,
            "$agent", "$id", "$writer", "$seq", "$now");
        foreach (var key in keys)
        {
            delete.Run(key.AgentId, SqliteValues.Id(key.MemoryId), writer, seq, now);
        }
    }

    /// <summary>When another writer erased each agent of the set's memories (erasures by this writer never drop its own later writes).</summary>
    private static Dictionary<string, long> ErasuresByOthers(SqliteConnection connection, SqliteTransaction transaction, MemoryChangeSet changes, byte[] writer)
    {
        var erasures = new Dictionary<string, long>(StringComparer.Ordinal);
        using var find = new Statement(
            connection, transaction,
            "SELECT deleted_at FROM tombstones WHERE agent_id = $agent AND memory_id = $mark AND writer <> $writer",
            "$agent", "$mark", "$writer");
        foreach (var agentId in changes.Inserts.Select(static e => e.AgentId).Concat(changes.Updates.Select(static p => p.Entry.AgentId)).Distinct(StringComparer.Ordinal))
        {
            using var reader = find.Read(agentId, ErasureMark, writer);
            if (reader.Read())
            {
                erasures[agentId] = reader.GetInt64(0);
            }
        }

        return erasures;
    }
}
