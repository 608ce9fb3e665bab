namespace AgentMemory.PostgreSql;

/// <summary>Options of the PostgreSQL store, set through <c>UsePostgres(…, options => …)</c>.</summary>
public sealed class PostgresMemoryStoreOptions
{
    /// <summary>The schema that holds AgentMemory's tables. Lower-case letters, digits and underscores. Default <c>agent_memory</c>.</summary>
    public string Schema { get; set; } = "agent_memory";

    /// <summary>
    /// Whether the schema is created and migrated when the host starts (under an advisory lock, so several hosts may
    /// start at once). Turn off when a DBA applies <see cref="PostgresSchema.GetMigrationScript(string)"/> by hand.
    /// Default <see langword="true"/>.
    /// </summary>
    public bool AutoMigrate { get; set; } = true;

    /// <summary>
    /// The most changes the write-behind worker writes in one transaction (one binary COPY); sets
    /// <see cref="PersistenceOptions.BatchSize"/>. <see langword="null"/> keeps that option's value.
    /// </summary>
    public int? BatchSize { get; set; }

    /// <summary>How long one statement (a batch, a load) may run before it is cancelled and retried. Default 30 seconds.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
