using AgentMemory.PostgreSql.Schema;

namespace AgentMemory.PostgreSql;

/// <summary>The PostgreSQL schema as SQL, for those who migrate by hand.</summary>
public static class PostgresSchema
{
    /// <summary>
    /// The whole migration script for <paramref name="schema"/>: creates the schema, the history table and every
    /// migration not yet recorded, in one transaction. Running it twice changes nothing the second time.
    /// </summary>
    /// <param name="schema">The schema name (default <c>agent_memory</c>).</param>
    /// <returns>The SQL script.</returns>
    /// <exception cref="ArgumentException">The schema name is not a plain lower-case identifier.</exception>
    public static string GetMigrationScript(string schema = "agent_memory") => Migrations.Script(schema);

    /// <summary>The highest migration version this package ships.</summary>
    public static int LatestVersion => Migrations.List[^1].Version;
}
