using AgentMemory.Storage;
using Microsoft.Data.Sqlite;

namespace AgentMemory.Sqlite.Storage;

/// <summary>
/// The change feed on SQLite. Positions are the change sequence: every change set takes the next number in its write
/// transaction, and SQLite runs one write transaction at a time, so a read in one snapshot sees every number up to the
/// last one taken, and none can appear behind it later. Hosts in one process are woken at each commit; other
/// processes are seen by polling the sequence (<see cref="SqliteMemoryStoreOptions.ChangePollInterval"/>).
/// </summary>
internal sealed partial class SqliteMemoryStore
{
    private long _seen = -1;

    public bool NotificationsConnected => true;

    public async Task<bool> WaitForChangesAsync(Guid reader, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = _time.GetUtcNow() + timeout;
        var own = SqliteValues.Id(reader);
        while (true)
        {
            var remaining = deadline - _time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                return false;
            }

            if (await _waiters.WaitAsync(reader, remaining < _options.ChangePollInterval ? remaining : _options.ChangePollInterval, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }

            if (await CommittedByOthersAsync(own, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }
    }

    /// <summary>Whether the sequence moved since the last look by a commit that may not be <paramref name="reader"/>'s own.</summary>
    private async Task<bool> CommittedByOthersAsync(byte[] reader, CancellationToken cancellationToken)
    {
        try
        {
            var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT seq, last_writer FROM feed_state";
            using var result = command.ExecuteReader();
            if (!result.Read())
            {
                return false;
            }

            var seq = result.GetInt64(0);
            var previous = Interlocked.Exchange(ref _seen, seq);
            return previous >= 0 && seq > previous && (seq - previous > 1 || !((byte[])result.GetValue(1)).AsSpan().SequenceEqual(reader));
        }
        catch (SqliteException)
        {
            // The file is busy or away: the reader polls anyway, and its read reports the error.
            return false;
        }
    }

    public async Task<MemoryChangePage> ReadChangesAsync(MemoryChangeQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit, "query.Limit");
        try
        {
            var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);

            // One read transaction: every statement below sees one snapshot of the file.
            using var transaction = connection.BeginTransaction(deferred: true);
            return ReadChanges(connection, transaction, query);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw SqliteErrors.Wrap("read the change feed", _connections.Path, ex);
        }
    }

    private static MemoryChangePage ReadChanges(SqliteConnection connection, SqliteTransaction transaction, MemoryChangeQuery query)
    {
        long to, prunedUpto;
        using (var state = new Statement(connection, transaction, "SELECT seq, pruned_upto FROM feed_state"))
        using (var reader = state.Read())
        {
            reader.Read();
            to = reader.GetInt64(0) + 1;
            prunedUpto = reader.GetInt64(1);
        }

        if (query.From is not { } from)
        {
            return new MemoryChangePage { Next = to };
        }

        if (from <= prunedUpto)
        {
            return new MemoryChangePage { Next = to, MustReload = true };
        }

        var rows = new MemoryFetch(connection, transaction);
        if (query.AgentIds.Count == 0 || from >= to)
        {
            return new MemoryChangePage { Memories = rows.Fetch([.. query.Refetch]), Next = Math.Max(from, to) };
        }

        var held = query.AgentIds as IReadOnlySet<string> ?? query.AgentIds.ToHashSet(StringComparer.Ordinal);
        var readerId = SqliteValues.Id(query.Reader);
        var changed = new List<(MemoryKey Key, long Seq)>();
        using (var keys = new Statement(
            connection, transaction,
            "SELECT agent_id, id, seq FROM memories WHERE seq >= $from AND (writer <> $reader OR merged) ORDER BY seq",
            "$from", "$reader"))
        using (var reader = keys.Read(from, readerId))
        {
            while (reader.Read())
            {
                var agentId = reader.GetString(0);
                if (held.Contains(agentId))
                {
                    changed.Add((new MemoryKey(agentId, SqliteValues.Id((byte[])reader.GetValue(1))), reader.GetInt64(2)));
                }
            }
        }

        var hasMore = false;
        if (changed.Count > query.Limit)
        {
            // The page ends before the first change set beyond the limit, never inside one.
            hasMore = true;
            to = changed[query.Limit].Seq;
            if (changed[0].Seq == to)
            {
                to++;
            }

            changed.RemoveAll(k => k.Seq >= to);
        }

        var memories = rows.Fetch([.. changed.Select(static k => k.Key)]);
        var fetched = memories.Select(static m => m.Entry.Id).ToHashSet();
        memories.AddRange(rows.Fetch([.. query.Refetch.Where(k => !fetched.Contains(k.MemoryId))]));
        memories.Sort(static (a, b) => a.Revision.CompareTo(b.Revision));

        var accesses = new List<MemoryAccessTotals>();
        using (var totals = new Statement(
            connection, transaction,
            "SELECT agent_id, id, access_count, last_accessed_at, accessed_seq FROM memories WHERE accessed_seq >= $from AND accessed_seq < $to",
            "$from", "$to"))
        using (var reader = totals.Read(from, to))
        {
            while (reader.Read())
            {
                var agentId = reader.GetString(0);
                if (held.Contains(agentId))
                {
                    accesses.Add(new MemoryAccessTotals(agentId, SqliteValues.Id((byte[])reader.GetValue(1)), reader.GetInt64(2), SqliteValues.Time(reader.GetInt64(3)), reader.GetInt64(4)));
                }
            }
        }

        var deletes = new List<MemoryKey>();
        var erased = new List<string>();
        using (var tombstones = new Statement(
            connection, transaction,
            "SELECT agent_id, memory_id FROM tombstones WHERE seq >= $from AND seq < $to AND writer <> $reader",
            "$from", "$to", "$reader"))
        using (var reader = tombstones.Read(from, to, readerId))
        {
            while (reader.Read())
            {
                var agentId = reader.GetString(0);
                if (held.Contains(agentId))
                {
                    var id = (byte[])reader.GetValue(1);
                    if (id.AsSpan().SequenceEqual(ErasureMark))
                    {
                        erased.Add(agentId);
                    }
                    else
                    {
                        deletes.Add(new MemoryKey(agentId, SqliteValues.Id(id)));
                    }
                }
            }
        }

        // An agent's state comes back to its own writer too: its counters are deltas of several hosts.
        var agents = new List<string>();
        using (var states = new Statement(connection, transaction, "SELECT agent_id FROM agents WHERE seq >= $from AND seq < $to", "$from", "$to"))
        using (var reader = states.Read(from, to))
        {
            while (reader.Read())
            {
                var agentId = reader.GetString(0);
                if (held.Contains(agentId))
                {
                    agents.Add(agentId);
                }
            }
        }

        return new MemoryChangePage
        {
            Memories = memories,
            Accesses = accesses,
            Deletes = deletes,
            ErasedAgents = erased,
            Agents = [.. agents.SelectMany(a => ReadAgents(connection, transaction, "WHERE agent_id = $key", a))],
            Next = to,
            HasMore = hasMore,
        };
    }

    public async Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        try
        {
            var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);
            using var transaction = connection.BeginTransaction(deferred: false);
            var cutoff = SqliteValues.Time(before);
            using (var mark = new Statement(
                connection, transaction,
                "UPDATE feed_state SET pruned_upto = max(pruned_upto, coalesce((SELECT max(seq) FROM tombstones WHERE deleted_at < $before), 0))",
                "$before"))
            {
                mark.Run(cutoff);
            }

            using (var writers = new Statement(connection, transaction, "DELETE FROM writers WHERE written_at < $before", "$before"))
            {
                writers.Run(cutoff);
            }

            using var prune = new Statement(connection, transaction, "DELETE FROM tombstones WHERE deleted_at < $before", "$before");
            var pruned = prune.Run(cutoff);
            transaction.Commit();
            return pruned;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw SqliteErrors.Wrap("prune tombstones", _connections.Path, ex);
        }
    }

    /// <summary>Memories by key as stored now (those not stored are left out), with their positions.</summary>
    private sealed class MemoryFetch(SqliteConnection connection, SqliteTransaction transaction)
    {
        public List<MemoryChange> Fetch(List<MemoryKey> keys)
        {
            var changes = new List<MemoryChange>(keys.Count);
            if (keys.Count == 0)
            {
                return changes;
            }

            using var fetch = new Statement(connection, transaction, $"SELECT {MemoryRows.Columns}, seq FROM memories WHERE agent_id = $agent AND id = $id", "$agent", "$id");
            var rows = new MemoryRowReader();
            foreach (var key in keys)
            {
                using var reader = fetch.Read(key.AgentId, SqliteValues.Id(key.MemoryId));
                if (reader.Read())
                {
                    changes.Add(new MemoryChange(rows.Read(reader), reader.GetInt64(MemoryRows.Count)));
                }
            }

            changes.Sort(static (a, b) => a.Revision.CompareTo(b.Revision));
            return changes;
        }
    }
}
