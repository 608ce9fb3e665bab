using System.Diagnostics;
using AgentMemory.PostgreSql.Diagnostics;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AgentMemory.PostgreSql.Schema;

/// <summary>
/// Brings a schema up to the latest migration. Holds a session advisory lock keyed by the schema name for the whole
/// run, so hosts that start together migrate one after the other and the later ones find nothing left to do.
/// </summary>
internal sealed class SchemaMigrator(NpgsqlDataSource dataSource, string schema, TimeSpan commandTimeout, ILogger logger)
{
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var quoted = SchemaName.Quote(schema);
        var timeout = (int)Math.Ceiling(commandTimeout.TotalSeconds);
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var key = AdvisoryLockKey.For("schema", schema);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@key)", new { key }, commandTimeout: 0, cancellationToken: cancellationToken)).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"CREATE SCHEMA IF NOT EXISTS {quoted};\n{Migrations.HistoryTableSql(schema)}", commandTimeout: timeout, cancellationToken: cancellationToken)).ConfigureAwait(false);
            var applied = (await connection.QueryAsync<int>(new CommandDefinition(
                $"SELECT version FROM {quoted}.schema_migrations", commandTimeout: timeout, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToHashSet();
            foreach (var migration in Migrations.List)
            {
                if (applied.Contains(migration.Version))
                {
                    continue;
                }

                var started = Stopwatch.GetTimestamp();
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using var transactionScope = transaction.ConfigureAwait(false);
                await connection.ExecuteAsync(new CommandDefinition(Migrations.Render(migration, schema), transaction: transaction, commandTimeout: timeout, cancellationToken: cancellationToken)).ConfigureAwait(false);
                await connection.ExecuteAsync(new CommandDefinition(
                    $"INSERT INTO {quoted}.schema_migrations (version, name) VALUES (@Version, @Name)",
                    new { migration.Version, migration.Name }, transaction, timeout, cancellationToken: cancellationToken)).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                PostgresLog.MigrationApplied(logger, schema, migration.Version, migration.Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
        finally
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@key)", new { key }, cancellationToken: CancellationToken.None)).ConfigureAwait(false);
            }
        }
    }
}
