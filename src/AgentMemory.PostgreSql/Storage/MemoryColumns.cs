namespace AgentMemory.PostgreSql.Storage;

/// <summary>The memories table's columns, in the one order every statement, COPY and reader of this package uses.</summary>
internal static class MemoryColumns
{
    public const string List =
        "agent_id, id, type, content, metadata, importance, valence, tags, created_at, last_accessed_at, updated_at, " +
        "access_count, utility, source_ids, embedding, embedding_model, expires_at, version, source, trusted";

    /// <summary>How many columns <see cref="List"/> names (each row of a binary COPY starts with it).</summary>
    public const short Count = 20;

    /// <summary>What an upsert overwrites when the incoming version is at least the stored one.</summary>
    public const string UpdateSet =
        "type = excluded.type, content = excluded.content, metadata = excluded.metadata, importance = excluded.importance, " +
        "valence = excluded.valence, tags = excluded.tags, created_at = excluded.created_at, " +
        "last_accessed_at = GREATEST(m.last_accessed_at, excluded.last_accessed_at), updated_at = excluded.updated_at, " +
        "access_count = GREATEST(m.access_count, excluded.access_count), utility = excluded.utility, " +
        "source_ids = excluded.source_ids, embedding = excluded.embedding, embedding_model = excluded.embedding_model, " +
        "expires_at = excluded.expires_at, version = excluded.version, source = excluded.source, trusted = excluded.trusted";
}
