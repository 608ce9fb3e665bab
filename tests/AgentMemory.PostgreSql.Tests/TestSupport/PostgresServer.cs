using System.Diagnostics;
using Npgsql;
using Testcontainers.PostgreSql;

namespace AgentMemory.PostgreSql.Tests.TestSupport;

/// <summary>
/// The PostgreSQL server the tests use: the one named by AGENTMEMORY_TEST_POSTGRES if set, else a Testcontainers
/// container where a Docker engine answers, else a failure that says how to get one (never a silent skip). The test
/// run works in a database of its own, created here and dropped when the run ends.
/// </summary>
public sealed class PostgresServer
{
    public const string ServerVariable = "AGENTMEMORY_TEST_POSTGRES";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static PostgresServer? _current;

    private readonly PostgreSqlContainer? _container;
    private readonly string _serverConnectionString;

    private PostgresServer(string serverConnectionString, PostgreSqlContainer? container, string database)
    {
        _serverConnectionString = serverConnectionString;
        _container = container;
        Database = database;
        ConnectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = database, Pooling = true }.ConnectionString;
    }

    /// <summary>The connection string of this run's own database.</summary>
    public string ConnectionString { get; }

    public string Database { get; }

    /// <summary>Whether the tests can stop and start this server (outage tests need it).</summary>
    public bool CanRestart => _container is not null || Environment.GetEnvironmentVariable("AGENTMEMORY_TEST_PG_CTL") is { Length: > 0 };

    public static async Task<PostgresServer> GetAsync()
    {
        await Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            return _current ??= await StartAsync().ConfigureAwait(false);
        }
        finally
        {
            Gate.Release();
        }
    }

    public static async Task ReleaseAsync()
    {
        var server = _current;
        _current = null;
        if (server is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using (var connection = new NpgsqlConnection(server._serverConnectionString))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{server.Database}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        if (server._container is not null)
        {
            await server._container.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Stops the server (fast shutdown: sessions are cut, as in a crash of the database host).</summary>
    public async Task StopServerAsync()
    {
        if (_container is not null)
        {
            await _container.StopAsync().ConfigureAwait(false);
            return;
        }

        await PgCtlAsync("-m", "fast", "-w", "stop").ConfigureAwait(false);
    }

    public async Task StartServerAsync()
    {
        if (_container is not null)
        {
            await _container.StartAsync().ConfigureAwait(false);
            return;
        }

        var options = Environment.GetEnvironmentVariable("AGENTMEMORY_TEST_PG_OPTIONS") ?? string.Empty;
        var log = Environment.GetEnvironmentVariable("AGENTMEMORY_TEST_PG_LOG") ?? "/dev/null";
        await PgCtlAsync("-l", log, "-o", options, "-w", "-t", "60", "start").ConfigureAwait(false);
    }

    private static async Task<PostgresServer> StartAsync()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(ServerVariable);
        PostgreSqlContainer? container = null;
        string server;
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            server = fromEnvironment;
        }
        else
        {
            try
            {
                container = new PostgreSqlBuilder("postgres:15-alpine").Build();
                await container.StartAsync().ConfigureAwait(false);
                server = container.GetConnectionString();
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException(
                    $"No PostgreSQL server for the tests: set {ServerVariable} to a connection string (the tests create and drop a database of their own on it), " +
                    "start a Docker engine for Testcontainers, or run tests/run-tests.sh, which starts a throwaway local server. " +
                    $"Testcontainers said: {ex.GetType().Name}: {ex.Message}",
                    ex);
            }
        }

        var database = $"agentmemory_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            await create.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        return new PostgresServer(server, container, database);
    }

    private static async Task PgCtlAsync(params string[] arguments)
    {
        var pgCtl = Environment.GetEnvironmentVariable("AGENTMEMORY_TEST_PG_CTL")
            ?? throw new InvalidOperationException("AGENTMEMORY_TEST_PG_CTL is not set: this server cannot be restarted by the tests.");
        var data = Environment.GetEnvironmentVariable("AGENTMEMORY_TEST_PG_DATA")
            ?? throw new InvalidOperationException("AGENTMEMORY_TEST_PG_DATA is not set.");
        var user = Environment.GetEnvironmentVariable("AGENTMEMORY_TEST_PG_USER");
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true };
        if (!string.IsNullOrEmpty(user))
        {
            start.FileName = "runuser";
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add(user);
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(pgCtl);
        }
        else
        {
            start.FileName = pgCtl;
        }

        start.ArgumentList.Add("-D");
        start.ArgumentList.Add(data);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_ctl {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output.ConfigureAwait(false)} {await error.ConfigureAwait(false)}");
        }
    }
}
