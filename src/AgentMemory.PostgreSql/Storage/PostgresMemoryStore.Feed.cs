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

            var refetched = query.Refetch.Count == 0 ? [] : await ReadMemoriesAsync(
                connection,
                "(agent_id, id) IN (SELECT * FROM unnest($1::text[], $2::uuid[]))",
                [new NpgsqlParameter<string[]> { TypedValue = [.. query.Refetch.Select(static k => k.AgentId)] }, new NpgsqlParameter<Guid[]> { TypedValue = [.. query.Refetch.Select(static k => k.MemoryId)] }],
                int.MaxValue,
                cancellationToken).ConfigureAwait(false);
            if (query.AgentIds.Count == 0 || from >= to)
            {
                return new MemoryChangePage { Memories = refetched!, Next = Math.Max(from, to) };
            }

            var agents = query.AgentIds.ToArray();
            var memories = await ReadMemoriesAsync(
                connection,
                "agent_id = ANY($1) AND changed_xid >= $2::text::xid8 AND changed_xid < $3::text::xid8 AND (writer <> $4 OR merged)",
                [
                    new NpgsqlParameter<string[]> { TypedValue = agents },
                    new NpgsqlParameter<long> { TypedValue = from },
                    new NpgsqlParameter<long> { TypedValue = to },
                    new NpgsqlParameter<Guid> { TypedValue = query.Reader },
                ],
                query.Limit,
                cancellationToken).ConfigureAwait(false);
            if (memories is null)
            {
                return new MemoryChangePage { Next = to, MustReload = true };
            }

            if (refetched!.Count > 0)
            {
                var seen = memories.Select(static m => m.Entry.Id).ToHashSet();
                memories.AddRange(refetched.Where(m => !seen.Contains(m.Entry.Id)));
            }

            var tombstones = (await connection.QueryAsync<(string AgentId, Guid MemoryId)>(new CommandDefinition(
                $"SELECT agent_id, memory_id FROM {_schema}.tombstones WHERE agent_id = ANY(@agents) " +
                "AND changed_xid >= @from::text::xid8 AND changed_xid < @to::text::xid8 AND writer <> @reader",
                new { agents, from, to, reader = query.Reader },
                commandTimeout: _timeoutSeconds,
                cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
            var states = (await connection.QueryAsync<AgentRow>(new CommandDefinition(
                $"SELECT agent_id AS AgentId, created_at AS CreatedAt, learning_enabled AS LearningEnabled, settings::text AS Settings FROM {_agents} " +
                "WHERE agent_id = ANY(@agents) AND changed_xid >= @from::text::xid8 AND changed_xid < @to::text::xid8 AND writer <> @reader",
                new { agents, from, to, reader = query.Reader },
                commandTimeout: _timeoutSeconds,
                cancellationToken: cancellationToken)).ConfigureAwait(false)).Select(static r => r.ToState()).ToList();
            return new MemoryChangePage
            {
                Memories = memories,
                Deletes = [.. tombstones.Where(static t => t.MemoryId != Guid.Empty).Select(static t => new MemoryKey(t.AgentId, t.MemoryId))],
                ErasedAgents = [.. tombstones.Where(static t => t.MemoryId == Guid.Empty).Select(static t => t.AgentId)],
                Agents = states,
                Next = to,
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
                $"     writers AS (DELETE FROM {_schema}.writers WHERE written_at < @before RETURNING 1) " +
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

    /// <summary>The memories matching <paramref name="where"/>, with their positions; <see langword="null"/> when more than <paramref name="limit"/>.</summary>
    private async Task<List<MemoryChange>?> ReadMemoriesAsync(
        NpgsqlConnection connection, string where, NpgsqlParameter[] parameters, int limit, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(
            $"SELECT {MemoryColumns.List}, changed_xid::text::bigint FROM {_memories} WHERE {where}" + (limit == int.MaxValue ? string.Empty : $" LIMIT {limit + 1}"),
            connection)
        {
            CommandTimeout = _timeoutSeconds,
        };
        command.Parameters.AddRange(parameters);
        await using var commandScope = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        var rows = new MemoryRowReader();
        var changes = new List<MemoryChange>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var entry = rows.Read(reader);
            changes.Add(new MemoryChange(entry, reader.GetInt64(MemoryColumns.Count)));
            if (changes.Count > limit)
            {
                return null;
            }
        }

        return changes;
    }
}
