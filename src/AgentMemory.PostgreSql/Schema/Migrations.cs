using System.Globalization;
using AgentMemory.Shared;
using System.Text;

namespace AgentMemory.PostgreSql.Schema;

/// <summary>The numbered migrations embedded in this assembly (Migrations/NNNN_name.sql), in order.</summary>
internal static class Migrations
{
    private const string SchemaPlaceholder = "__SCHEMA__";

    private static readonly Lazy<IReadOnlyList<Migration>> All = new(Load);

    public static IReadOnlyList<Migration> List => All.Value;

    /// <summary>The migration's SQL with the schema name filled in (quoted).</summary>
    public static string Render(Migration migration, string schema) =>
        migration.Sql.Replace(SchemaPlaceholder, SchemaName.Quote(schema), StringComparison.Ordinal);

    /// <summary>The history table every migrated schema has.</summary>
    public static string HistoryTableSql(string schema) =>
        $"""
        CREATE TABLE IF NOT EXISTS {SchemaName.Quote(schema)}.schema_migrations (
            version    integer     NOT NULL PRIMARY KEY,
            name       text        NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        );
        """;

    /// <summary>The whole script: schema, history table, every migration and its history row, in one transaction.</summary>
    public static string Script(string schema)
    {
        var quoted = SchemaName.Quote(schema);
        var script = new StringBuilder();
        script.AppendLine(CultureInfo.InvariantCulture, $"-- AgentMemory PostgreSQL schema \"{schema}\": every migration in order. Safe to run on a database");
        script.AppendLine("-- that has some of them: each is skipped when its version is already recorded.");
        script.AppendLine("BEGIN;");
        script.AppendLine(CultureInfo.InvariantCulture, $"CREATE SCHEMA IF NOT EXISTS {quoted};");
        script.AppendLine(HistoryTableSql(schema));
        foreach (var migration in List)
        {
            script.AppendLine();
            script.AppendLine(CultureInfo.InvariantCulture, $"-- Migration {migration.Version}: {migration.Name}");
            script.AppendLine(CultureInfo.InvariantCulture, $"DO $migration$ BEGIN");
            script.AppendLine(CultureInfo.InvariantCulture, $"IF NOT EXISTS (SELECT 1 FROM {quoted}.schema_migrations WHERE version = {migration.Version}) THEN");
            script.AppendLine(Render(migration, schema));
            script.AppendLine(CultureInfo.InvariantCulture, $"INSERT INTO {quoted}.schema_migrations (version, name) VALUES ({migration.Version}, '{migration.Name}');");
            script.AppendLine("END IF;");
            script.AppendLine("END $migration$;");
        }

        script.AppendLine("COMMIT;");
        return script.ToString();
    }

    private static List<Migration> Load() =>
        [.. NumberedMigrations.Load(typeof(Migrations).Assembly).Select(static m => new Migration(m.Version, m.Name, m.Sql))];
}
