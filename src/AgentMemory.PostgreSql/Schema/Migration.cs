namespace AgentMemory.PostgreSql.Schema;

/// <summary>One numbered schema change, as shipped in the package.</summary>
internal sealed record Migration(int Version, string Name, string Sql);
