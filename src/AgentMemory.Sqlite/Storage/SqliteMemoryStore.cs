using System.Runtime.CompilerServices;
using System.Text.Json;
using AgentMemory.Sqlite.Diagnostics;
using AgentMemory.Sqlite.Schema;
using AgentMemory.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SQLitePCL;

namespace AgentMemory.Sqlite.Storage;

/// <summary>
/// The SQLite <see cref="IMemoryStore"/>: one file, WAL mode, each change set one write transaction
/// (<c>BEGIN IMMEDIATE</c>, synchronous commit). SQLite lets one transaction write at a time, so the store applies
/// the merge rules in process — it reads the stored row and writes back <see cref="MemoryPatch.ApplyTo"/> — with the
/// same result as PostgreSQL's set-based statements. Every statement is parameterized and scoped by agent id.
/// </summary>
internal sealed partial class SqliteMemoryStore : IMemoryStore
{
    private readonly SqliteConnections _connections;
    private readonly SqliteMemoryStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ChangeWaiters _waiters;

    public SqliteMemoryStore(SqliteConnections connections, IOptions<SqliteMemoryStoreOptions> options, TimeProvider? time = null, ILoggerFactory? loggerFactory = null)
    {
        _connections = connections;
        _options = options.Value;
        _time = time ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<SqliteMemoryStore>();
        _waiters = FileSignals.For(connections.Path);
    }

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);
            var version = await SqliteSchemaMigrator.MigrateAsync(connection, _connections.Path, _logger, cancellationToken).ConfigureAwait(false);
            SqliteLog.SchemaReady(_logger, _connections.Path, version);
        }
        catch (Exception ex) when (ex is not MemoryStoreException && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            throw SqliteErrors.Wrap("prepare the AgentMemory tables", _connections.Path, ex);
        }
    }

    public async IAsyncEnumerable<MemoryEntry> LoadMemoriesAsync(string agentId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agentId);
        SqliteConnection connection;
        sqlite3_stmt statement;
        try
        {
            connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
            statement = Prepare(connection, $"SELECT {MemoryRows.Columns} FROM memories WHERE agent_id = ?1 ORDER BY id");
            Check(connection, raw.sqlite3_bind_text(statement, 1, agentId));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw SqliteErrors.Wrap($"load the memories of agent '{agentId}'", _connections.Path, ex);
        }

        await using (connection.ConfigureAwait(false))
        using (statement)
        {
            // Read straight from the statement (see MemoryRowReader.Read(sqlite3_stmt)): loading is the one read that
            // goes through every memory of an agent.
            var rows = new MemoryRowReader(agentId);
            while (true)
            {
                MemoryEntry entry;
                try
                {
                    var step = raw.sqlite3_step(statement);
                    if (step == raw.SQLITE_DONE)
                    {
                        break;
                    }

                    Check(connection, step == raw.SQLITE_ROW ? raw.SQLITE_OK : step);
                    entry = rows.Read(statement);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    throw SqliteErrors.Wrap($"load the memories of agent '{agentId}'", _connections.Path, ex);
                }

                cancellationToken.ThrowIfCancellationRequested();
                yield return entry;
            }
        }
    }

    private static sqlite3_stmt Prepare(SqliteConnection connection, string sql)
    {
        Check(connection, raw.sqlite3_prepare_v2(connection.Handle, sql, out var statement));
        return statement;
    }

    /// <summary>Turns a SQLite result code other than OK into the exception Microsoft.Data.Sqlite would throw for it.</summary>
    private static void Check(SqliteConnection connection, int result) => SqliteException.ThrowExceptionForRC(result, connection.Handle);

    public async Task<AgentState?> GetAgentAsync(string agentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agentId);
        try
        {
            var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);
            using var transaction = connection.BeginTransaction(deferred: true);
            return ReadAgents(connection, transaction, "WHERE agent_id = $key", agentId).SingleOrDefault();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw SqliteErrors.Wrap($"read agent '{agentId}'", _connections.Path, ex);
        }
    }

    public async IAsyncEnumerable<AgentState> ListAgentsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Pages by key so a long list never holds one read transaction (and the WAL with it) for long.
        const int PageSize = 1000;
        var after = string.Empty;
        var first = true;
        while (true)
        {
            List<AgentState> page;
            try
            {
                var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using var connectionScope = connection.ConfigureAwait(false);
                using var transaction = connection.BeginTransaction(deferred: true);
                page = ReadAgents(connection, transaction, $"WHERE ($first OR agent_id > $key) ORDER BY agent_id LIMIT {PageSize}", after, first);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw SqliteErrors.Wrap("list agents", _connections.Path, ex);
            }

            foreach (var agent in page)
            {
                yield return agent;
            }

            if (page.Count < PageSize)
            {
                yield break;
            }

            after = page[^1].AgentId;
            first = false;
        }
    }

    /// <summary>The agents the filter selects (<c>$key</c>, <c>$first</c> bound), each with its counters, in one read transaction.</summary>
    private static List<AgentState> ReadAgents(SqliteConnection connection, SqliteTransaction transaction, string filter, string key, bool first = false)
    {
        var agents = new List<AgentState>();
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = $"SELECT agent_id, created_at, learning_enabled, settings FROM agents {filter}";
            command.Parameters.AddWithValue("$key", key);
            command.Parameters.AddWithValue("$first", first);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                using var settings = JsonDocument.Parse(reader.GetString(3));
                agents.Add(new AgentState
                {
                    AgentId = reader.GetString(0),
                    CreatedAt = SqliteValues.Time(reader.GetInt64(1)),
                    LearningEnabled = reader.GetBoolean(2),
                    Settings = settings.RootElement.Clone(),
                });
            }
        }

        if (agents.Count == 0)
        {
            return agents;
        }

        using var counters = new Statement(connection, transaction, "SELECT key, value FROM agent_counters WHERE agent_id = $agent", "$agent");
        for (var i = 0; i < agents.Count; i++)
        {
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            using (var reader = counters.Read(agents[i].AgentId))
            {
                while (reader.Read())
                {
                    values[reader.GetString(0)] = reader.GetDouble(1);
                }
            }

            agents[i] = agents[i] with { Counters = values };
        }

        return agents;
    }
}
