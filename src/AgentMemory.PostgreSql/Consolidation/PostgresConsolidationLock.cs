using AgentMemory.PostgreSql.Schema;
using AgentMemory.PostgreSql.Storage;
using AgentMemory.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AgentMemory.PostgreSql.Consolidation;

/// <summary>
/// The consolidation lock across every host sharing the database: a session advisory lock per agent (and schema),
/// held on a connection of its own for the run. If the host dies, the server ends the session and the lock with it.
/// </summary>
internal sealed class PostgresConsolidationLock(PostgresDataSourceProvider dataSource, IOptions<PostgresMemoryStoreOptions> options) : IConsolidationLock
{
    public async ValueTask<IAsyncDisposable?> TryAcquireAsync(string agentId, CancellationToken cancellationToken = default)
    {
        var key = AdvisoryLockKey.For("consolidate", options.Value.Schema + "\n" + agentId);
        var connection = await dataSource.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.AddWithValue("key", key);
                if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
                {
                    return new Held(connection, key);
                }
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    private sealed class Held(NpgsqlConnection connection, long key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
                await using (command.ConfigureAwait(false))
                {
                    command.Parameters.AddWithValue("key", key);
                    await command.ExecuteScalarAsync().ConfigureAwait(false);
                }
            }
            catch (NpgsqlException)
            {
                // The connection broke: the server ended the session, and the lock with it.
            }
            finally
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
