using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace AgentMemory.Shared;

/// <summary>
/// The numbered migrations a store package embeds (Migrations/NNNN_name.sql), in order; the numbers must run 1, 2, 3…
/// Shared source, compiled into each store package.
/// </summary>
internal static partial class NumberedMigrations
{
    public static List<(int Version, string Name, string Sql)> Load(Assembly assembly)
    {
        var migrations = new List<(int Version, string Name, string Sql)>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = ResourceName().Match(resource);
            if (!match.Success)
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            migrations.Add((int.Parse(match.Groups["version"].Value, CultureInfo.InvariantCulture), match.Groups["name"].Value, reader.ReadToEnd()));
        }

        migrations.Sort(static (a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException($"Migration numbers must run 1, 2, 3…; found {migrations[i].Version} at position {i + 1}.");
            }
        }

        return migrations;
    }

    [GeneratedRegex(@"\.Migrations\.(?<version>\d{4})_(?<name>[a-z0-9_]+)\.sql$")]
    private static partial Regex ResourceName();
}
