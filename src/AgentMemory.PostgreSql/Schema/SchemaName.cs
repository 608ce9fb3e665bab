using System.Text.RegularExpressions;

namespace AgentMemory.PostgreSql.Schema;

/// <summary>Validates and quotes the schema name, the one identifier that is not a query parameter.</summary>
internal static partial class SchemaName
{
    public static void Validate(string? schema)
    {
        if (string.IsNullOrEmpty(schema) || !Pattern().IsMatch(schema))
        {
            throw new ArgumentException(
                $"The schema name '{schema}' is not valid: use 1 to 63 lower-case letters, digits and underscores, starting with a letter or underscore.",
                nameof(schema));
        }
    }

    public static string Quote(string schema)
    {
        Validate(schema);
        return $"\"{schema}\"";
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex Pattern();
}
