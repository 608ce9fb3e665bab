using System.Diagnostics;
using AgentMemory.Shared;
using AgentMemory.Sqlite.Diagnostics;
using AgentMemory.Sqlite.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace AgentMemory.Sqlite.Schema;

/// <summary>
/// Brings a file up to the latest migration, in one write transaction (<c>BEGIN IMMEDIATE</c>): processes that start
/// together migrate one after the other, and the later ones find nothing left to do. Turns the file to WAL mode first
/// (a setting the file keeps): readers then never block the writer, nor it them.
/// </summary>
internal static class SqliteSchemaMigrator
{
    private static readonly Lazy<List<(int Version, string Name, string Sql)>> All = new(() => NumberedMigrations.Load(typeof(SqliteSchemaMigrator).Assembly));

    public static int LatestVersion => All.Value[^1].Version;

    public static async Task<int> MigrateAsync(SqliteConnection connection, string path, ILogger logger, CancellationToken cancellationToken)
    {
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL";
            await wal.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        using var transaction = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL); " +
            "SELECT coalesce(max(version), 0) FROM schema_migrations";
        var version = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        foreach (var migration in All.Value.Where(m => m.Version > version))
        {
            var started = Stopwatch.GetTimestamp();
            command.CommandText = migration.Sql;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            command.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($version, $name, $at)";
            command.Parameters.Clear();
            command.Parameters.AddWithValue("$version", migration.Version);
            command.Parameters.AddWithValue("$name", migration.Name);
            command.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.UtcTicks);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            command.Parameters.Clear();
            SqliteLog.MigrationApplied(logger, path, migration.Version, migration.Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            version = migration.Version;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (version > LatestVersion)
        {
            throw new MemoryStoreException(
                $"The AgentMemory file '{path}' is at schema version {version}, newer than this package's {LatestVersion}: update the AgentMemory.Sqlite package.",
                isTransient: false);
        }

        return version;
    }
}
