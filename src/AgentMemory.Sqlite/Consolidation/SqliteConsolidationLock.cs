using AgentMemory.Sqlite.Storage;
using AgentMemory.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace AgentMemory.Sqlite.Consolidation;

/// <summary>
/// The consolidation lock across every process on the file: a lease row per agent, taken in a write transaction
/// when free or expired, renewed by its holder every third of <see cref="SqliteMemoryStoreOptions.ConsolidationLease"/>
/// and deleted on release. A process that dies holds the agent until its lease runs out.
/// </summary>
internal sealed class SqliteConsolidationLock(SqliteConnections connections, IOptions<SqliteMemoryStoreOptions> options, TimeProvider time) : IConsolidationLock
{
    public async ValueTask<IAsyncDisposable?> TryAcquireAsync(string agentId, CancellationToken cancellationToken = default)
    {
        var holder = SqliteValues.Id(Guid.NewGuid());
        var lease = options.Value.ConsolidationLease;
        try
        {
            var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);
            using var transaction = connection.BeginTransaction(deferred: false);
            using var take = new Statement(
                connection, transaction,
                "INSERT INTO consolidation_leases (agent_id, holder, expires_at) VALUES ($agent, $holder, $expires) " +
                "ON CONFLICT (agent_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at WHERE consolidation_leases.expires_at < $now",
                "$agent", "$holder", "$expires", "$now");
            var now = time.GetUtcNow();
            var taken = take.Run(agentId, holder, SqliteValues.Time(now + lease), SqliteValues.Time(now)) > 0;
            transaction.Commit();
            return taken ? new Lease(connections, time, agentId, holder, lease) : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw SqliteErrors.Wrap($"take the consolidation lease of agent '{agentId}'", connections.Path, ex);
        }
    }

    private sealed class Lease : IAsyncDisposable
    {
        private readonly SqliteConnections _connections;
        private readonly TimeProvider _time;
        private readonly string _agentId;
        private readonly byte[] _holder;
        private readonly TimeSpan _length;
        private readonly ITimer _renewal;
        private int _released;

        public Lease(SqliteConnections connections, TimeProvider time, string agentId, byte[] holder, TimeSpan length)
        {
            _connections = connections;
            _time = time;
            _agentId = agentId;
            _holder = holder;
            _length = length;
            var every = length / 3;
            _renewal = time.CreateTimer(static state => ((Lease)state!).Renew(), this, every, every);
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
            {
                return;
            }

            await _renewal.DisposeAsync().ConfigureAwait(false);
            Run("DELETE FROM consolidation_leases WHERE agent_id = $agent AND holder = $holder", null);
        }

        private void Renew()
        {
            if (Volatile.Read(ref _released) == 0)
            {
                Run("UPDATE consolidation_leases SET expires_at = $expires WHERE agent_id = $agent AND holder = $holder", SqliteValues.Time(_time.GetUtcNow() + _length));
            }
        }

        private void Run(string sql, long? expires)
        {
            try
            {
                using var connection = _connections.Open();
                using var command = connection.CreateCommand();
                command.CommandText = sql;
                command.Parameters.AddWithValue("$agent", _agentId);
                command.Parameters.AddWithValue("$holder", _holder);
                command.Parameters.AddWithValue("$expires", (object?)expires ?? DBNull.Value);
                command.ExecuteNonQuery();
            }
            catch (SqliteException)
            {
                // The file is busy or away: a renewal is tried again at the next tick, and a lease not released
                // runs out by itself.
            }
        }
    }
}
