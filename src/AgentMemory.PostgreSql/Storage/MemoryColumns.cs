namespace AgentMemory.PostgreSql.Storage;

/// <summary>The memories table's columns, in the one order every statement, COPY and reader of this package uses.</summary>
internal static class MemoryColumns
{
    public const string List =
        "agent_id, id, type, content, metadata, importance, valence, tags, created_at, last_accessed_at, updated_at, " +
        "access_count, utility, source_ids, embedding, embedding_model, expires_at, version, source, trusted";

    /// <summary>
    /// <see cref="List"/> as read: the memories table as <c>m</c>, left-joined to its access totals as <c>a</c>
    /// (see <see cref="Joined"/>), which replace the access count and last access the row was remembered with.
    /// </summary>
    public const string Read =
        "m.agent_id, m.id, m.type, m.content, m.metadata, m.importance, m.valence, m.tags, m.created_at, GREATEST(m.last_accessed_at, a.last_accessed_at), m.updated_at, " +
        "coalesce(a.access_count, m.access_count), m.utility, m.source_ids, m.embedding, m.embedding_model, m.expires_at, m.version, m.source, m.trusted";

    /// <summary>
    /// The tables <see cref="Read"/> reads for one agent, in schema <paramref name="schema"/> (quoted): the agent's
    /// condition on <c>m</c> carries over to <c>a</c>, so its access totals are read once, beside its memories.
    /// </summary>
    public static string Joined(string schema) =>
        $"{schema}.memories m LEFT JOIN {schema}.memory_accesses a ON a.agent_id = m.agent_id AND a.memory_id = m.id";

    /// <summary>
    /// What <see cref="Read"/> joins to rows <c>m</c> picked by key from many agents (memories fetched again by the
    /// change feed): each row's access totals looked up by key. A plain join lets the planner hash the whole totals table.
    /// </summary>
    public static string TotalsOf(string schema) =>
        $"LEFT JOIN LATERAL (SELECT x.access_count, x.last_accessed_at FROM {schema}.memory_accesses x WHERE x.agent_id = m.agent_id AND x.memory_id = m.id LIMIT 1) a ON true";

    /// <summary>How many columns <see cref="List"/> names (each row of a binary COPY starts with it).</summary>
    public const short Count = 20;

    /// <summary>What a patch sets (staging row <c>s</c> onto table row <c>m</c>): only its fields, by the bits of <see cref="AgentMemory.Storage.MemoryFields"/>.</summary>
    public const string PatchSet =
        "type = CASE WHEN s.fields & 1 <> 0 THEN s.type ELSE m.type END, " +
        "content = CASE WHEN s.fields & 2 <> 0 THEN s.content ELSE m.content END, " +
        "metadata = CASE WHEN s.fields & 4 <> 0 THEN s.metadata ELSE m.metadata END, " +
        "importance = CASE WHEN s.fields & 8 <> 0 THEN s.importance ELSE m.importance END, " +
        "valence = CASE WHEN s.fields & 16 <> 0 THEN s.valence ELSE m.valence END, " +
        "tags = CASE WHEN s.fields & 32 <> 0 THEN s.tags ELSE m.tags END, " +
        "utility = CASE WHEN s.fields & 64 <> 0 THEN LEAST(1, GREATEST(-1, m.utility + s.utility_delta)) ELSE m.utility END, " +
        "source = CASE WHEN s.fields & 128 <> 0 THEN s.source ELSE m.source END, " +
        "trusted = CASE WHEN s.fields & 128 <> 0 THEN s.trusted ELSE m.trusted END, " +
        "source_ids = CASE WHEN s.fields & 256 <> 0 THEN s.source_ids ELSE m.source_ids END, " +
        "embedding = CASE WHEN s.fields & 512 <> 0 AND (s.fields & 2 <> 0 OR m.content = s.content) THEN s.embedding ELSE m.embedding END, " +
        "embedding_model = CASE WHEN s.fields & 512 <> 0 AND (s.fields & 2 <> 0 OR m.content = s.content) THEN s.embedding_model ELSE m.embedding_model END, " +
        "expires_at = CASE WHEN s.fields & 1024 <> 0 THEN s.expires_at ELSE m.expires_at END, " +
        "created_at = CASE WHEN s.fields & 2048 <> 0 THEN s.created_at ELSE m.created_at END, " +
        "updated_at = GREATEST(m.updated_at, s.updated_at), last_accessed_at = GREATEST(m.last_accessed_at, s.last_accessed_at), " +
        "version = CASE WHEN s.fields & 1073741824 <> 0 OR s.fields = 512 THEN GREATEST(m.version, s.version) ELSE GREATEST(m.version + 1, s.version) END, merged = m.merged OR m.writer <> s.writer, writer = s.writer, changed_xid = pg_current_xact_id()";

    /// <summary>
    /// The fields of an insert that found its memory stored (a repeated write, <see cref="AgentMemory.Storage.MemoryPatch.ApplyInsert"/>):
    /// every field but utility, and bit 30, which keeps the larger version instead of raising it.
    /// </summary>
    public const AgentMemory.Storage.MemoryFields RepeatedInsert =
        (AgentMemory.Storage.MemoryFields.All & ~AgentMemory.Storage.MemoryFields.Utility) | (AgentMemory.Storage.MemoryFields)(1 << 30);
}
