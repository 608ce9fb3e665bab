using AgentMemory;
using AgentMemory.Sqlite;
using AgentMemory.Sqlite.Consolidation;
using AgentMemory.Sqlite.Storage;
using AgentMemory.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the SQLite store on an <see cref="IAgentMemoryBuilder"/>.</summary>
public static class SqliteAgentMemoryBuilderExtensions
{
    /// <summary>
    /// Stores memories in the SQLite file named by <paramref name="connectionString"/> (for example
    /// <c>"Data Source=agentmemory.db"</c>; a relative path is taken from the current directory). The file and its tables
    /// are created on start.
    /// </summary>
    /// <param name="builder">The AgentMemory builder.</param>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string naming a file.</param>
    /// <param name="configure">Optional store options (busy timeout, file size limit, change polling, consolidation lease).</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentException">The connection string is empty, malformed, or names no file (<c>:memory:</c>).</exception>
    public static IAgentMemoryBuilder UseSqlite(this IAgentMemoryBuilder builder, string connectionString, Action<SqliteMemoryStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);

        // Checked here, so a bad string fails where it is written rather than when the host starts.
        _ = new SqliteConnections(connectionString, new SqliteMemoryStoreOptions());
        var services = builder.Services;
        var options = services.AddOptions<SqliteMemoryStoreOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteMemoryStoreOptions>, SqliteMemoryStoreOptionsValidator>());
        services.Replace(ServiceDescriptor.Singleton(sp => new SqliteConnections(connectionString, sp.GetRequiredService<IOptions<SqliteMemoryStoreOptions>>().Value)));
        services.Replace(ServiceDescriptor.Singleton<IMemoryStore, SqliteMemoryStore>());
        services.Replace(ServiceDescriptor.Singleton<IConsolidationLock, SqliteConsolidationLock>());
        return builder;
    }

    /// <summary>Stores memories in the SQLite file at <paramref name="path"/> (created with its folder's permissions when missing).</summary>
    /// <param name="builder">The AgentMemory builder.</param>
    /// <param name="path">The database file's path; a relative path is taken from the current directory.</param>
    /// <param name="configure">Optional store options.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    public static IAgentMemoryBuilder UseSqliteFile(this IAgentMemoryBuilder builder, string path, Action<SqliteMemoryStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return builder.UseSqlite(new SqliteConnectionStringBuilder { DataSource = path }.ToString(), configure);
    }

    private sealed class SqliteMemoryStoreOptionsValidator : IValidateOptions<SqliteMemoryStoreOptions>
    {
        public ValidateOptionsResult Validate(string? name, SqliteMemoryStoreOptions options)
        {
            var failures = new List<string>();
            Check(failures, nameof(options.BusyTimeout), options.BusyTimeout, TimeSpan.FromMinutes(10));
            Check(failures, nameof(options.ChangePollInterval), options.ChangePollInterval, TimeSpan.FromMinutes(1));
            Check(failures, nameof(options.ConsolidationLease), options.ConsolidationLease, TimeSpan.FromDays(1));
            if (options.MaxFileSize is < 65_536)
            {
                failures.Add($"SqliteMemoryStoreOptions.MaxFileSize must be at least 65536 bytes, or null for no limit (was {options.MaxFileSize}).");
            }

            return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
        }

        private static void Check(List<string> failures, string name, TimeSpan value, TimeSpan max)
        {
            if (value <= TimeSpan.Zero || value > max)
            {
                failures.Add($"SqliteMemoryStoreOptions.{name} must be more than zero and at most {max} (was {value}).");
            }
        }
    }
}
