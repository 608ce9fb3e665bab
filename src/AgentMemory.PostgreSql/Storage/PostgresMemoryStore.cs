using System.Globalization;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using AgentMemory.PostgreSql.Diagnostics;
using AgentMemory.PostgreSql.Schema;
using AgentMemory.Shared;
using AgentMemory.Storage;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace AgentMemory.PostgreSql.Storage;

/// <summary>
/// The PostgreSQL <see cref="IMemoryStore"/>. Each change set is one transaction: agents deleted, agent states
/// upserted, memories deleted, inserts by one binary COPY straight into the table, updates (and the inserts too when
/// that copy is refused) by a binary COPY into a temporary staging table and one INSERT … ON CONFLICT that overwrites
/// only when the incoming version is at least the stored one, access totals added (in a narrow table of their own).
/// Every statement is parameterized and scoped by agent id.
/// </summary>
internal sealed partial class PostgresMemoryStore : IMemoryStore, IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlDataSource _writes;
    private readonly PostgresMemoryStoreOptions _options;
    private readonly ILogger _logger;
    private readonly string _schema;
    private readonly int _timeoutSeconds;
    private readonly string _memories;
    private readonly string _agents;
    private readonly string _channel;
    private readonly string _staging;

    /// <summary>An agent's columns as <see cref="AgentRow"/> reads them (the agents table as <c>a</c>), its counters as one JSON object.</summary>
    private readonly string _agentColumns;
    private readonly PostgresChangeListener _listener;

    public PostgresMemoryStore(PostgresDataSourceProvider dataSource, IOptions<PostgresMemoryStoreOptions> options, ILoggerFactory? loggerFactory = null)
    {
        _dataSource = dataSource.DataSource;
        _writes = dataSource.Writes;
        _options = options.Value;
        SchemaName.Validate(_options.Schema);
        _schema = SchemaName.Quote(_options.Schema);
        _timeoutSeconds = Math.Max(1, (int)Math.Ceiling(_options.CommandTimeout.TotalSeconds));
        _memories = $"{_schema}.memories";
        _agents = $"{_schema}.agents";

        _logger = (loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger<PostgresMemoryStore>();
        _channel = $"agentmemory_{_options.Schema}";
        _agentColumns =
            "a.agent_id AS AgentId, a.created_at AS CreatedAt, a.learning_enabled AS LearningEnabled, a.settings::text AS Settings, " +
            $"(SELECT coalesce(jsonb_object_agg(c.key, c.value), '{{}}') FROM {_schema}.agent_counters c WHERE c.agent_id = a.agent_id)::text AS Counters";
        _staging = string.Create(CultureInfo.InvariantCulture, $"agentmemory_staging_{PostgresSchema.LatestVersion}_{(ulong)AdvisoryLockKey.For("staging", _options.Schema):x}");
        _listener = new PostgresChangeListener(_dataSource, _channel, _logger);
    }

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            if (_options.AutoMigrate)
            {
                await new SchemaMigrator(_dataSource, _options.Schema, _options.CommandTimeout, _logger).MigrateAsync(cancellationToken).ConfigureAwait(false);
            }

            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

            await using var connectionScope = connection.ConfigureAwait(false);
            var version = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
                $"SELECT max(version) FROM {_schema}.schema_migrations", commandTimeout: _timeoutSeconds, cancellationToken: cancellationToken)).ConfigureAwait(false) ?? 0;
            if (version < PostgresSchema.LatestVersion)
            {
                PostgresLog.SchemaNotMigrated(_logger, _options.Schema, version, PostgresSchema.LatestVersion);
                throw new MemoryStoreException(
                    $"The AgentMemory schema '{_options.Schema}' is at version {version}; this package needs {PostgresSchema.LatestVersion}. Turn AutoMigrate on or apply PostgresSchema.GetMigrationScript().",
                    isTransient: true);
            }

            if (!ReferenceEquals(_writes, _dataSource))
            {
                // The writer's pool opens its first connection (and reads the server's types) now, not in the first write.
                var writes = await _writes.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await writes.DisposeAsync().ConfigureAwait(false);
            }

            PostgresLog.SchemaReady(_logger, _options.Schema, version);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            throw new MemoryStoreException(
                $"The AgentMemory schema '{_options.Schema}' does not exist. Turn AutoMigrate on or apply PostgresSchema.GetMigrationScript().", isTransient: true, ex);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw PostgresErrors.Wrap("initialize the schema", ex);
        }
    }

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
            var connection = await _writes.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);
            if (!await TryWriteAsync(connection, changes, copyNew: true, cancellationToken).ConfigureAwait(false))
            {
                // A new memory was stored already (a batch retried after a lost commit acknowledgement) or refused:
                // that transaction is rolled back, and the batch is written again with every upsert staged.
                await TryWriteAsync(connection, changes, copyNew: false, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw PostgresErrors.Wrap($"write a batch of {changes.Count} changes", ex);
        }

        PostgresLog.BatchWritten(_logger, changes.Inserts.Count + changes.Updates.Count, changes.Deletes.Count, changes.Accesses.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    public async IAsyncEnumerable<MemoryEntry> LoadMemoriesAsync(string agentId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agentId);
        NpgsqlConnection connection;
        NpgsqlCommand command;
        NpgsqlDataReader reader;
        try
        {
            connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            command = new NpgsqlCommand($"SELECT {MemoryColumns.Read} FROM {MemoryColumns.Joined(_schema)} WHERE m.agent_id = $1 ORDER BY m.id", connection)
            {
                CommandTimeout = _timeoutSeconds,
                Parameters = { new NpgsqlParameter<string> { TypedValue = agentId } },
            };
            reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw PostgresErrors.Wrap($"load the memories of agent '{agentId}'", ex);
        }

        await using (connection.ConfigureAwait(false))
        await using (command.ConfigureAwait(false))
        await using (reader.ConfigureAwait(false))
        {
            var rows = new MemoryRowReader(agentId);
            while (true)
            {
                MemoryEntry entry;
                try
                {
                    if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        break;
                    }

                    entry = rows.Read(reader);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    throw PostgresErrors.Wrap($"load the memories of agent '{agentId}'", ex);
                }

                yield return entry;
            }
        }
    }

    public async Task<AgentState?> GetAgentAsync(string agentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agentId);
        try
        {
            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);
            var row = await connection.QuerySingleOrDefaultAsync<AgentRow>(new CommandDefinition(
                $"SELECT {_agentColumns} FROM {_agents} a WHERE agent_id = @agentId",
                new { agentId }, commandTimeout: _timeoutSeconds, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return row?.ToState();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw PostgresErrors.Wrap($"read agent '{agentId}'", ex);
        }
    }

    public async IAsyncEnumerable<AgentState> ListAgentsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Pages by key so a long list never holds one connection or one snapshot for long.
        string? after = null;
        while (true)
        {
            List<AgentRow> page;
            try
            {
                var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var connectionScope = connection.ConfigureAwait(false);
                page = [.. await connection.QueryAsync<AgentRow>(new CommandDefinition(
                    $"SELECT {_agentColumns} FROM {_agents} a " +
                    "WHERE @after::text IS NULL OR agent_id > @after ORDER BY agent_id LIMIT 1000",
                    new { after }, commandTimeout: _timeoutSeconds, cancellationToken: cancellationToken)).ConfigureAwait(false)];
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw PostgresErrors.Wrap("list agents", ex);
            }

            foreach (var row in page)
            {
                yield return row.ToState();
            }

            if (page.Count < 1000)
            {
                yield break;
            }

            after = page[^1].AgentId;
        }
    }

    /// <summary>
    /// Locks the rows this set changes, in key order. Several hosts change the same popular memories at once (learning,
    /// consolidation); taking the row locks in one order makes them wait for each other instead of deadlocking (which
    /// PostgreSQL detects only after a second, with one transaction rolled back). Accesses, the most frequent change,
    /// lock only their narrow rows, last and in key order (<see cref="RecordAccessesAsync"/>), so they hold no lock for
    /// the rest of the transaction.
    /// </summary>
    private Task LockRowsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, MemoryChangeSet changes, CancellationToken cancellationToken)
    {
        var keys = changes.Updates.Select(static p => (p.Entry.AgentId, Id: p.Entry.Id))
            .Concat(changes.Deletes.Select(static d => (d.AgentId, Id: d.MemoryId)))
            .Distinct()
            .ToList();
        return connection.ExecuteAsync(new CommandDefinition(
            $"SELECT NULL FROM {_memories} m JOIN unnest(@agents, @ids) AS k(agent_id, id) USING (agent_id, id) ORDER BY m.agent_id, m.id FOR UPDATE OF m",
            new { agents = keys.Select(static k => k.AgentId).ToArray(), ids = keys.Select(static k => k.Id).ToArray() },
            transaction,
            _timeoutSeconds,
            cancellationToken: cancellationToken));
    }

    /// <summary>Deletes the agents and their memories, leaving a marker that keeps every host from writing them back.</summary>
    private Task EraseAgentsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<string> agentIds, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM {_memories} WHERE agent_id = ANY(@ids); DELETE FROM {_agents} WHERE agent_id = ANY(@ids); DELETE FROM {_schema}.agent_counters WHERE agent_id = ANY(@ids); " +
            $"INSERT INTO {_schema}.tombstones AS t (agent_id, memory_id) SELECT DISTINCT unnest(@ids), '{Guid.Empty}'::uuid " +
            "ON CONFLICT (agent_id, memory_id) DO UPDATE SET writer = excluded.writer, changed_xid = pg_current_xact_id(), deleted_at = now();",
            new { ids = agentIds.ToArray() }, transaction, _timeoutSeconds, cancellationToken: cancellationToken));

    private Task UpsertAgentsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<AgentState> agents, CancellationToken cancellationToken)
    {
        // Last state of each agent wins; created_at keeps the first value ever stored.
        var latest = LatestAgentStates.Of(agents);

        return connection.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO {_agents} AS a (agent_id, created_at, learning_enabled, settings) " +
            "SELECT * FROM unnest(@ids, @created, @learning, @settings::jsonb[]) ORDER BY 1 " +
            "ON CONFLICT (agent_id) DO UPDATE SET learning_enabled = excluded.learning_enabled, settings = excluded.settings, " +
            "writer = excluded.writer, changed_xid = pg_current_xact_id()",
            new
            {
                ids = latest.Keys.ToArray(),
                created = latest.Values.Select(static a => a.CreatedAt.UtcDateTime).ToArray(),
                learning = latest.Values.Select(static a => a.LearningEnabled).ToArray(),
                settings = latest.Values.Select(static a => a.Settings.ValueKind == JsonValueKind.Undefined ? "{}" : a.Settings.GetRawText()).ToArray(),
            },
            transaction, _timeoutSeconds, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Clears and moves agents' learning counters, and marks each agent changed (creating the agents the store does not
    /// know yet), so hosts read its counters again.
    /// </summary>
    private Task MoveCountersAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, MemoryChangeSet changes, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM {_schema}.agent_counters WHERE agent_id = ANY(@resets); " +
            $"INSERT INTO {_schema}.agent_counters AS c (agent_id, key, value) " +
            "SELECT agent_id, key, sum(delta) FROM unnest(@agents, @keys, @deltas) AS d(agent_id, key, delta) GROUP BY agent_id, key ORDER BY agent_id, key " +
            "ON CONFLICT (agent_id, key) DO UPDATE SET value = c.value + excluded.value; " +
            $"INSERT INTO {_agents} AS a (agent_id, created_at) SELECT t, now() FROM unnest(@touched) AS t ORDER BY 1 " +
            "ON CONFLICT (agent_id) DO UPDATE SET writer = excluded.writer, changed_xid = pg_current_xact_id();",
            new
            {
                resets = changes.CounterResets.ToArray(),
                agents = changes.CounterDeltas.Select(static d => d.AgentId).ToArray(),
                keys = changes.CounterDeltas.Select(static d => d.Key).ToArray(),
                deltas = changes.CounterDeltas.Select(static d => d.Delta).ToArray(),
                touched = changes.CounterResets.Concat(changes.CounterDeltas.Select(static d => d.AgentId)).Distinct(StringComparer.Ordinal).ToArray(),
            },
            transaction,
            _timeoutSeconds,
            cancellationToken: cancellationToken));

    /// <summary>Deletes memories, leaving tombstones that keep every host from writing them back.</summary>
    private Task DeleteMemoriesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<MemoryKey> keys, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM {_memories} m USING unnest(@agents, @ids) AS d(agent_id, id) WHERE m.agent_id = d.agent_id AND m.id = d.id; " +
            $"INSERT INTO {_schema}.tombstones AS t (agent_id, memory_id) SELECT DISTINCT * FROM unnest(@agents, @ids) ORDER BY 1, 2 " +
            "ON CONFLICT (agent_id, memory_id) DO UPDATE SET writer = excluded.writer, changed_xid = pg_current_xact_id(), deleted_at = now();",
            new { agents = keys.Select(static k => k.AgentId).ToArray(), ids = keys.Select(static k => k.MemoryId).ToArray() },
            transaction, _timeoutSeconds, cancellationToken: cancellationToken));

    /// <summary>
    /// Writes the change set in one transaction. With <paramref name="copyNew"/>, the inserts, the bulk of what agents
    /// write, are copied straight into the table: half the work of staging them, and no savepoint round trips. Returns
    /// <see langword="false"/>, with the transaction rolled back, when the database refuses that copy; a lost connection
    /// (or anything else) is not caught here: the whole batch is retried.
    /// </summary>
    private async Task<bool> TryWriteAsync(NpgsqlConnection connection, MemoryChangeSet changes, bool copyNew, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        var (apply, erased, transactionId) = await BeginChangeSetAsync(connection, transaction, changes, cancellationToken).ConfigureAwait(false);
        if (!apply)
        {
            // This writer's set was applied before (its commit acknowledgement was lost): nothing more to do.
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }

        if (changes.Updates.Count + changes.Deletes.Count > 0)
        {
            await LockRowsAsync(connection, transaction, changes, cancellationToken).ConfigureAwait(false);
        }

        if (changes.DeletedAgents.Count > 0)
        {
            await EraseAgentsAsync(connection, transaction, changes.DeletedAgents, cancellationToken).ConfigureAwait(false);
        }

        if (changes.Agents.Count > 0)
        {
            await UpsertAgentsAsync(connection, transaction, changes.Agents, cancellationToken).ConfigureAwait(false);
        }

        if (changes.CounterResets.Count + changes.CounterDeltas.Count > 0)
        {
            await MoveCountersAsync(connection, transaction, changes, cancellationToken).ConfigureAwait(false);
        }

        if (changes.Deletes.Count > 0)
        {
            await DeleteMemoriesAsync(connection, transaction, changes.Deletes, cancellationToken).ConfigureAwait(false);
        }

        IReadOnlyList<MemoryPatch> staged = changes.Updates;
        if (changes.Inserts.Count > 0)
        {
            if (copyNew)
            {
                try
                {
                    await MemoryRowWriter.CopyNewAsync(connection, _memories, changes.Inserts, changes.Writer, transactionId, _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException ex) when (PostgresErrors.IsRefusal(ex))
                {
                    return false;
                }
            }
            else
            {
                // A memory stored already takes the insert as a repeated write (MemoryPatch.ApplyInsert).
                staged = [.. changes.Inserts.Select(static e => new MemoryPatch(e, MemoryColumns.RepeatedInsert)), .. changes.Updates];
            }
        }

        if (staged.Count > 0)
        {
            await StageAndPatchAsync(connection, transaction, staged, cancellationToken).ConfigureAwait(false);
        }

        if (changes.Accesses.Count + changes.Deletes.Count + changes.DeletedAgents.Count > 0)
        {
            await RecordAccessesAsync(connection, transaction, changes, cancellationToken).ConfigureAwait(false);
        }

        if (erased.Length > 0)
        {
            await RemoveErasedInsertsAsync(connection, transaction, changes, erased, cancellationToken).ConfigureAwait(false);
        }

        await NotifyAsync(connection, transaction, changes, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Names the writer for the rows of this transaction (the columns' default reads the setting) and, for a numbered
    /// set, records its number. Returns whether to go on (<see langword="false"/> when the writer's set of that number
    /// was applied already) and the agents of the set's inserts that another host erased, whose inserted memories the
    /// set must check (<see cref="RemoveErasedInsertsAsync"/>), and the transaction's id.
    /// </summary>
    private async Task<(bool Apply, string[] Erased, long TransactionId)> BeginChangeSetAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, MemoryChangeSet changes, CancellationToken cancellationToken)
    {
        var writer = changes.Writer.ToString();
        var agents = changes.Inserts.Count == 0 ? [] : changes.Inserts.Select(static e => e.AgentId).Distinct(StringComparer.Ordinal).ToArray();
        var erased = $"(SELECT coalesce(array_agg(agent_id), '{{}}') FROM {_schema}.tombstones WHERE memory_id = '{Guid.Empty}' AND agent_id = ANY(@agents) AND writer <> @id)";
        var row = await connection.QuerySingleOrDefaultAsync<(string? Writer, string[] Erased, long TransactionId)>(new CommandDefinition(
            changes.Batch <= 0
                ? $"SELECT set_config('agentmemory.writer', @writer, true), {erased}, pg_current_xact_id()::text::bigint"
                : $"INSERT INTO {_schema}.writers AS w (writer, batch) VALUES (@id, @batch) " +
                  "ON CONFLICT (writer) DO UPDATE SET batch = excluded.batch, written_at = now() WHERE w.batch < excluded.batch " +
                  $"RETURNING set_config('agentmemory.writer', @writer, true), {erased}, pg_current_xact_id()::text::bigint",
            new { id = changes.Writer, batch = changes.Batch, writer, agents },
            transaction,
            _timeoutSeconds,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return (row.Writer is not null, row.Erased ?? [], row.TransactionId);
    }

    /// <summary>
    /// Deletes the memories this set inserted for agents another host erased, when they were formed before the
    /// erasure: a host that still held the agent wrote them late.
    /// </summary>
    private Task RemoveErasedInsertsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, MemoryChangeSet changes, string[] erased, CancellationToken cancellationToken)
    {
        var agents = erased.ToHashSet(StringComparer.Ordinal);
        var inserted = changes.Inserts.Where(e => agents.Contains(e.AgentId)).ToList();
        return connection.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM {_memories} m USING {_schema}.tombstones t, unnest(@agents, @ids) AS i(agent_id, id) " +
            $"WHERE t.memory_id = '{Guid.Empty}' AND t.agent_id = i.agent_id AND t.writer <> @writer " +
            "AND m.agent_id = i.agent_id AND m.id = i.id AND m.created_at <= t.deleted_at",
            new { agents = inserted.Select(static e => e.AgentId).ToArray(), ids = inserted.Select(static e => e.Id).ToArray(), writer = changes.Writer },
            transaction,
            _timeoutSeconds,
            cancellationToken: cancellationToken));
    }

    /// <summary>Notifies listening hosts once for the whole transaction (delivered at commit).</summary>
    private Task NotifyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, MemoryChangeSet changes, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_notify(@channel, @writer)",
            new { channel = _channel, writer = changes.Writer.ToString() },
            transaction,
            _timeoutSeconds,
            cancellationToken: cancellationToken));

    /// <summary>
    /// Applies patches: copied into a staging table, then one UPDATE sets each row's patched fields only (the merge
    /// rules of <see cref="MemoryPatch"/>), and one INSERT adds the memories the table does not hold, unless deleted.
    /// </summary>
    private async Task StageAndPatchAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<MemoryPatch> patches, CancellationToken cancellationToken)
    {
        // The staging table lives as long as the pooled session and is emptied by every commit: creating one per batch
        // costs catalog writes on every write. (A data source this package built keeps sessions for writes; one the
        // caller passed may reset them, and then the table is made again.) Its name carries the schema and its
        // version, so a migrated or another schema never meets an old table.
        var create = new NpgsqlCommand(
            $"CREATE TEMP TABLE IF NOT EXISTS {_staging} (LIKE {_memories} INCLUDING DEFAULTS, fields integer NOT NULL, utility_delta double precision NOT NULL) ON COMMIT DELETE ROWS",
            connection,
            transaction);
        await using (create.ConfigureAwait(false))
        {
            create.CommandTimeout = _timeoutSeconds;
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await MemoryRowWriter.CopyPatchesAsync(connection, _staging, LatestOfEach(patches), _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
        var patch = new NpgsqlCommand(
            $"UPDATE {_memories} AS m SET {MemoryColumns.PatchSet} FROM {_staging} s WHERE m.agent_id = s.agent_id AND m.id = s.id; " +
            $"INSERT INTO {_memories} ({MemoryColumns.List}) SELECT {MemoryColumns.List} FROM {_staging} s " +
            $"WHERE NOT EXISTS (SELECT 1 FROM {_memories} e WHERE e.agent_id = s.agent_id AND e.id = s.id) " +
            $"AND NOT EXISTS (SELECT 1 FROM {_schema}.tombstones t WHERE t.agent_id = s.agent_id " +
            $"    AND (t.memory_id = s.id OR (t.memory_id = '{Guid.Empty}' AND t.writer <> s.writer AND t.deleted_at >= s.created_at))) " +
            "ON CONFLICT (agent_id, id) DO NOTHING",
            connection,
            transaction);
        await using var patchScope = patch.ConfigureAwait(false);
        patch.CommandTimeout = _timeoutSeconds;
        await patch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One patch per memory, the latest version when a set holds one memory twice (an UPDATE takes a row once). Picked
    /// here rather than by the server, which would sort the staged rows, vectors and all, and spill them to disk.
    /// </summary>
    private static IReadOnlyList<MemoryPatch> LatestOfEach(IReadOnlyList<MemoryPatch> patches)
    {
        var latest = new Dictionary<(string, Guid), int>(patches.Count);
        for (var i = 0; i < patches.Count; i++)
        {
            var key = (patches[i].Entry.AgentId, patches[i].Entry.Id);
            if (!latest.TryGetValue(key, out var kept) || patches[kept].Entry.Version <= patches[i].Entry.Version)
            {
                latest[key] = i;
            }
        }

        return latest.Count == patches.Count ? patches : [.. latest.Values.Order().Select(i => patches[i])];
    }

    /// <summary>
    /// Adds accesses to the totals of the memories that exist, and empties the totals of memories this set deleted or
    /// whose agent it erased (a memory remembered again under that id counts only its own accesses). One statement,
    /// in key order, the set's last: the narrow rows' locks are taken in one order and held only until the commit, and
    /// the memory rows are not written at all. A row emptied here holds nothing; <see cref="PruneAsync"/> removes it.
    /// </summary>
    private Task RecordAccessesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, MemoryChangeSet changes, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO {_schema}.memory_accesses AS t (agent_id, memory_id, access_count, last_accessed_at, added) " +
            "SELECT DISTINCT ON (1, 2) * FROM (" +
            // A memory with totals exists (its deletion empties them; totals an access left behind a racing deletion
            // are pruned): only a memory without totals yet has its wide row read, for its existence and the counts it
            // was written with. (OFFSET 0 keeps the lookup a
            // subquery, which the condition on the totals then skips; pulled up into a join, it would run for every row.)
            "  SELECT d.agent_id, d.id, coalesce(t.access_count, m.access_count) + d.count, GREATEST(coalesce(t.last_accessed_at, m.last_accessed_at), d.last_accessed_at), d.count " +
            "  FROM (SELECT agent_id, id, max(last_accessed_at) AS last_accessed_at, sum(count)::bigint AS count " +
            "        FROM unnest(@agents, @ids, @times, @counts) AS x(agent_id, id, last_accessed_at, count) GROUP BY agent_id, id) d " +
            $"  LEFT JOIN {_schema}.memory_accesses t ON t.agent_id = d.agent_id AND t.memory_id = d.id AND t.access_count IS NOT NULL " +
            $"  LEFT JOIN LATERAL (SELECT w.access_count, w.last_accessed_at FROM {_memories} w WHERE t.agent_id IS NULL AND w.agent_id = d.agent_id AND w.id = d.id OFFSET 0) m ON true " +
            "  WHERE t.agent_id IS NOT NULL OR m.access_count IS NOT NULL " +
            "  UNION ALL " +
            $"  SELECT x.agent_id, x.memory_id, NULL::bigint, NULL::timestamptz, 0::bigint FROM {_schema}.memory_accesses x WHERE x.agent_id = ANY(@erased) " +
            "  UNION ALL " +
            "  SELECT x.agent_id, x.memory_id, NULL::bigint, NULL::timestamptz, 0::bigint " +
            $"  FROM unnest(@goneAgents, @goneIds) AS g(agent_id, id) JOIN {_schema}.memory_accesses x ON x.agent_id = g.agent_id AND x.memory_id = g.id" +
            ") u ORDER BY 1, 2 " +
            "ON CONFLICT (agent_id, memory_id) DO UPDATE SET " +
            "access_count = CASE WHEN excluded.access_count IS NULL THEN NULL WHEN t.access_count IS NULL THEN excluded.access_count ELSE t.access_count + excluded.added END, " +
            "last_accessed_at = CASE WHEN excluded.access_count IS NULL THEN NULL ELSE GREATEST(t.last_accessed_at, excluded.last_accessed_at) END, " +
            "added = excluded.added, accessed_xid = pg_current_xact_id()",
            new
            {
                agents = changes.Accesses.Select(static a => a.AgentId).ToArray(),
                ids = changes.Accesses.Select(static a => a.MemoryId).ToArray(),
                times = changes.Accesses.Select(static a => a.LastAccessedAt.UtcDateTime).ToArray(),
                counts = changes.Accesses.Select(static a => a.Count).ToArray(),
                erased = changes.DeletedAgents.ToArray(),
                goneAgents = changes.Deletes.Select(static d => d.AgentId).ToArray(),
                goneIds = changes.Deletes.Select(static d => d.MemoryId).ToArray(),
            },
            transaction, _timeoutSeconds, cancellationToken: cancellationToken));

    private sealed class AgentRow
    {
        public string AgentId { get; set; } = string.Empty;

        public DateTime CreatedAt { get; set; }

        public bool LearningEnabled { get; set; }

        public string Settings { get; set; } = "{}";

        public string Counters { get; set; } = "{}";

        public AgentState ToState()
        {
            using var document = JsonDocument.Parse(Settings);
            return new AgentState
            {
                AgentId = AgentId,
                CreatedAt = new DateTimeOffset(DateTime.SpecifyKind(CreatedAt, DateTimeKind.Utc)),
                LearningEnabled = LearningEnabled,
                Settings = document.RootElement.Clone(),
                Counters = JsonSerializer.Deserialize<Dictionary<string, double>>(Counters) ?? [],
            };
        }
    }
}
