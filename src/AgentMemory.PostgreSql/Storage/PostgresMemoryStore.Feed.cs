using System.Globalization;
using AgentMemory.Storage;
using Dapper;
using Npgsql;

namespace AgentMemory.PostgreSql.Storage;

/// <summary>
/// The change feed on PostgreSQL. Positions are transaction ids (<c>xid8</c>): a read returns the rows written by
/// transactions from the reader's position up to the oldest transaction still running (<c>pg_snapshot_xmin</c>), so
/// every transaction before that bound has committed or failed and none can appear behind the reader later. A
/// long-running writing transaction on the database holds the bound back, and with it what hosts see of each other.
/// </summary>
internal sealed partial class PostgresMemoryStore
{
    public bool NotificationsConnected => _listener.IsConnected;

    public Task<bool> WaitForChangesAsync(Guid reader, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _listener.WaitAsync(reader, timeout, cancellationToken);

    public async Task<MemoryChangePage> ReadChangesAsync(MemoryChangeQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit, "query.Limit");
        try
        {
            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);
            var (to, prunedUpto) = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(
                $"SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint, (SELECT pruned_upto::text::bigint FROM {_schema}.feed_state)",
                commandTimeout: _timeoutSeconds,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (query.From is not { } from)
            {
                return new MemoryChangePage { Next = to };
            }

            if (from <= prunedUpto)
            {
                return new MemoryChangePage { Next = to, MustReload = true };
            }

            if (query.AgentIds.Count == 0 || from >= to)
            {
                return new MemoryChangePage { Memories = await FetchAsync(connection, [.. query.Refetch], cancellationToken).ConfigureAwait(false), Next = Math.Max(from, to) };
            }

            // The rows changed in the range, by the transaction-id index, at most a page and one more: a host far behind
            // reads its backlog a page at a time, each row once.
            var agents = query.AgentIds.ToArray();
            var memories = await ChangedRowsAsync(connection, from, to, query.Reader, agents, query.Limit + 1, cancellationToken).ConfigureAwait(false);
            var hasMore = false;
            if (memories.Count > query.Limit)
            {
                // The page ends before the first transaction beyond the limit, never inside one transaction; a single
                // transaction larger than a page is read whole.
                hasMore = true;
                to = memories[query.Limit].Revision;
                if (memories[0].Revision == to)
                {
                    memories = await ChangedRowsAsync(connection, to, to + 1, query.Reader, agents, long.MaxValue, cancellationToken).ConfigureAwait(false);
                    to++;
                }
                else
                {
                    memories.RemoveAll(m => m.Revision >= to);
                }
            }

            // A memory fetched again replaces its row in the page: the fetch has its access totals, the page's row only
            // those it was written with.
            var fetched = await FetchAsync(connection, [.. query.Refetch], cancellationToken).ConfigureAwait(false);
            if (fetched.Count > 0)
            {
                var keys = fetched.Select(static m => (m.Entry.AgentId, m.Entry.Id)).ToHashSet();
                memories.RemoveAll(m => keys.Contains((m.Entry.AgentId, m.Entry.Id)));
                memories.AddRange(fetched);
            }

            var accesses = (await connection.QueryAsync<(string AgentId, Guid MemoryId, long AccessCount, DateTime LastAccessedAt, long Revision)>(new CommandDefinition(
                $"SELECT agent_id, memory_id, access_count, last_accessed_at, accessed_xid::text::bigint FROM {_schema}.memory_accesses WHERE agent_id = ANY(@agents) " +
                "AND accessed_xid >= @from::text::xid8 AND accessed_xid < @to::text::xid8 AND access_count IS NOT NULL",
                new { agents, from, to },
                commandTimeout: _timeoutSeconds,
                cancellationToken: cancellationToken)).ConfigureAwait(false))
                .Select(static a => new MemoryAccessTotals(a.AgentId, a.MemoryId, a.AccessCount, new DateTimeOffset(DateTime.SpecifyKind(a.LastAccessedAt, DateTimeKind.Utc)), a.Revision))
                .ToList();
            var tombstones = (await connection.QueryAsync<(string AgentId, Guid MemoryId)>(new CommandDefinition(
                $"SELECT agent_id, memory_id FROM {_schema}.tombstones WHERE agent_id = ANY(@agents) " +
                "AND changed_xid >= @from::text::xid8 AND changed_xid < @to::text::xid8 AND writer <> @reader",
                new { agents, from, to, reader = query.Reader },
                commandTimeout: _timeoutSeconds,
                cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
            var states = (await connection.QueryAsync<AgentRow>(new CommandDefinition(
                // An agent's state comes back to its own writer too: its counters are deltas of several hosts.
                $"SELECT {_agentColumns} FROM {_agents} a " +
                "WHERE a.agent_id = ANY(@agents) AND a.changed_xid >= @from::text::xid8 AND a.changed_xid < @to::text::xid8",
                new { agents, from, to, reader = query.Reader },
                commandTimeout: _timeoutSeconds,
                cancellationToken: cancellationToken)).ConfigureAwait(false)).Select(static r => r.ToState()).ToList();
            return new MemoryChangePage
            {
                Memories = memories,
                Accesses = accesses,
                Deletes = [.. tombstones.Where(static t => t.MemoryId != Guid.Empty).Select(static t => new MemoryKey(t.AgentId, t.MemoryId))],
                ErasedAgents = [.. tombstones.Where(static t => t.MemoryId == Guid.Empty).Select(static t => t.AgentId)],
                Agents = states,
                Next = to,
                HasMore = hasMore,
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw PostgresErrors.Wrap("read the change feed", ex);
        }
    }

    public async Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        try
        {
            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);
            return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
                $"WITH gone AS (DELETE FROM {_schema}.tombstones WHERE deleted_at < @before RETURNING changed_xid), " +
                $"     moved AS (UPDATE {_schema}.feed_state SET pruned_upto = GREATEST(pruned_upto, (SELECT max(changed_xid) FROM gone)) " +
                "               WHERE EXISTS (SELECT 1 FROM gone) RETURNING 1), " +
                $"     writers AS (DELETE FROM {_schema}.writers WHERE written_at < @before RETURNING 1), " +
                // Access totals emptied when their memory went, or left by an access that raced the deletion.
                $"     orphans AS (DELETE FROM {_schema}.memory_accesses t WHERE NOT EXISTS (SELECT 1 FROM {_memories} m WHERE m.agent_id = t.agent_id AND m.id = t.memory_id) RETURNING 1) " +
                "SELECT count(*)::int FROM gone",
                new { before = before.UtcDateTime },
                commandTimeout: _timeoutSeconds,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw PostgresErrors.Wrap("prune tombstones", ex);
        }
    }

    public async ValueTask DisposeAsync() => await _listener.DisposeAsync().ConfigureAwait(false);

    public void Dispose() => _listener.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// The rows of the held agents changed by transactions from <paramref name="from"/> up to (not including)
    /// <paramref name="to"/>, but for the reader's own unmerged writes, in commit order, at most <paramref name="limit"/>.
    /// </summary>
    private async Task<List<MemoryChange>> ChangedRowsAsync(NpgsqlConnection connection, long from, long to, Guid reader, string[] agents, long limit, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);

        // The rows are read by walking the transaction-id index in order, which stops at the page's end. The planner
        // cannot know that one transaction id holds thousands of rows (a write-behind batch), so for a range of a few
        // ids it expects a few rows and picks a bitmap scan and a sort of the whole range's wide rows instead: spilled
        // to disk, and done again for every page of a host's backlog. (Just-in-time compilation, which a disabled plan's
        // cost would set off, is of no use to this short query either.)
        await connection.ExecuteAsync(new CommandDefinition(
            "SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off; SET LOCAL jit = off",
            transaction: transaction,
            commandTimeout: _timeoutSeconds,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        var rows = await ReadRowsAsync(
            new NpgsqlCommand(
                // The rows as written, with the access totals they were written with: newer totals travel in the page's
                // accesses (every change of them is in some page), and a reader keeps the larger of the two.
                $"SELECT {MemoryColumns.List}, m.changed_xid::text::bigint FROM {_memories} m " +
                "WHERE m.changed_xid >= $1::text::xid8 AND m.changed_xid < $2::text::xid8 AND (m.writer <> $3 OR m.merged) AND m.agent_id = ANY($4) ORDER BY m.changed_xid LIMIT $5",
                connection,
                transaction)
            {
                Parameters =
                {
                    new NpgsqlParameter<string> { TypedValue = from.ToString(CultureInfo.InvariantCulture) },
                    new NpgsqlParameter<string> { TypedValue = to.ToString(CultureInfo.InvariantCulture) },
                    new NpgsqlParameter<Guid> { TypedValue = reader },
                    new NpgsqlParameter<string[]> { TypedValue = agents },
                    new NpgsqlParameter<long> { TypedValue = limit },
                },
            },
            cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return rows;
    }

    /// <summary>The memories with these keys as stored now (those not stored are left out), with their positions.</summary>
    private Task<List<MemoryChange>> FetchAsync(NpgsqlConnection connection, List<MemoryKey> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return Task.FromResult(new List<MemoryChange>());
        }

        return ReadRowsAsync(
            new NpgsqlCommand(
                $"SELECT {MemoryColumns.Read}, m.changed_xid::text::bigint FROM unnest($1::text[], $2::uuid[]) AS k(agent_id, id) JOIN {_memories} m ON m.agent_id = k.agent_id AND m.id = k.id {MemoryColumns.TotalsOf(_schema)}",
                connection)
            {
                Parameters =
                {
                    new NpgsqlParameter<string[]> { TypedValue = [.. keys.Select(static k => k.AgentId)] },
                    new NpgsqlParameter<Guid[]> { TypedValue = [.. keys.Select(static k => k.MemoryId)] },
                },
            },
            cancellationToken);
    }

    /// <summary>Runs a query of memory rows followed by their position, and reads them in the order of their positions.</summary>
    private async Task<List<MemoryChange>> ReadRowsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandTimeout = _timeoutSeconds;
        var changes = new List<MemoryChange>();
        var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        var rows = new MemoryRowReader();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var entry = rows.Read(reader);
            changes.Add(new MemoryChange(entry, reader.GetInt64(MemoryColumns.Count)));
        }

        changes.Sort(static (a, b) => a.Revision.CompareTo(b.Revision));
        return changes;
    }
}
