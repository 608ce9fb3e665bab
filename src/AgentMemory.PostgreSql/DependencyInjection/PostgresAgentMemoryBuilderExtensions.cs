using AgentMemory.PostgreSql.Consolidation;
using AgentMemory;
using AgentMemory.PostgreSql;
using AgentMemory.PostgreSql.Schema;
using AgentMemory.PostgreSql.Storage;
using AgentMemory.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PostgreSQL store on an <see cref="IAgentMemoryBuilder"/>.</summary>
public static class PostgresAgentMemoryBuilderExtensions
{
    /// <summary>Stores memories in PostgreSQL at <paramref name="connectionString"/> (a data source is built and owned by AgentMemory).</summary>
    /// <param name="builder">The AgentMemory builder.</param>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="configure">Optional store options (schema, migration, batch size, timeout).</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentException">The connection string is empty or malformed.</exception>
    public static IAgentMemoryBuilder UsePostgres(this IAgentMemoryBuilder builder, string connectionString, Action<PostgresMemoryStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        NpgsqlConnectionStringBuilder parsed;
        try
        {
            parsed = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"The PostgreSQL connection string is not valid: {ex.Message}", nameof(connectionString), ex);
        }

        return builder.UsePostgresCore(_ => PostgresDataSourceProvider.Create(parsed), configure);
    }

    /// <summary>Stores memories in PostgreSQL through <paramref name="dataSource"/> (owned by the caller, not disposed by AgentMemory).</summary>
    /// <param name="builder">The AgentMemory builder.</param>
    /// <param name="dataSource">The data source to use.</param>
    /// <param name="configure">Optional store options.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IAgentMemoryBuilder UsePostgres(this IAgentMemoryBuilder builder, NpgsqlDataSource dataSource, Action<PostgresMemoryStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSource);
        return builder.UsePostgresCore(_ => new PostgresDataSourceProvider(dataSource, owned: false), configure);
    }

    /// <summary>
    /// Stores memories in PostgreSQL through the <see cref="NpgsqlDataSource"/> registered in the container (for example
    /// by <c>AddNpgsqlDataSource</c>).
    /// </summary>
    /// <param name="builder">The AgentMemory builder.</param>
    /// <param name="configure">Optional store options.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IAgentMemoryBuilder UsePostgres(this IAgentMemoryBuilder builder, Action<PostgresMemoryStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UsePostgresCore(
            static sp => new PostgresDataSourceProvider(
                sp.GetService<NpgsqlDataSource>() ?? throw new InvalidOperationException(
                    "UsePostgres() without arguments needs an NpgsqlDataSource registered in the container; pass a connection string or a data source instead."),
                owned: false),
            configure);
    }

    private static IAgentMemoryBuilder UsePostgresCore(
        this IAgentMemoryBuilder builder,
        Func<IServiceProvider, PostgresDataSourceProvider> dataSource,
        Action<PostgresMemoryStoreOptions>? configure)
    {
        var services = builder.Services;
        var options = services.AddOptions<PostgresMemoryStoreOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresMemoryStoreOptions>, PostgresMemoryStoreOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<AgentMemoryOptions>, PostgresBatchSizeSetup>());
        services.Replace(ServiceDescriptor.Singleton(dataSource));
        services.Replace(ServiceDescriptor.Singleton<IMemoryStore, PostgresMemoryStore>());
        services.Replace(ServiceDescriptor.Singleton<IConsolidationLock, PostgresConsolidationLock>());
        return builder;
    }

    private sealed class PostgresBatchSizeSetup(IOptions<PostgresMemoryStoreOptions> postgres) : IPostConfigureOptions<AgentMemoryOptions>
    {
        public void PostConfigure(string? name, AgentMemoryOptions options)
        {
            if (postgres.Value.BatchSize is { } size)
            {
                options.Persistence.BatchSize = size;
            }
        }
    }

    private sealed class PostgresMemoryStoreOptionsValidator : IValidateOptions<PostgresMemoryStoreOptions>
    {
        public ValidateOptionsResult Validate(string? name, PostgresMemoryStoreOptions options)
        {
            var failures = new List<string>();
            try
            {
                SchemaName.Validate(options.Schema);
            }
            catch (ArgumentException ex)
            {
                failures.Add($"PostgresMemoryStoreOptions.Schema: {ex.Message}");
            }

            if (options.BatchSize is < 1 or > 100_000)
            {
                failures.Add($"PostgresMemoryStoreOptions.BatchSize must be between 1 and 100000 (was {options.BatchSize}).");
            }

            if (options.CommandTimeout <= TimeSpan.Zero || options.CommandTimeout > TimeSpan.FromHours(1))
            {
                failures.Add($"PostgresMemoryStoreOptions.CommandTimeout must be more than zero and at most one hour (was {options.CommandTimeout}).");
            }

            return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
        }
    }
}
