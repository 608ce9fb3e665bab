using System.Text.Json;

namespace AgentMemory.Benchmarks.Persistence;

/// <summary>The memories the persistence benchmarks write: content, metadata, tags and a 384-float embedding each.</summary>
internal static class BenchmarkMemories
{
    private static readonly string[] Topics = ["billing", "deployment", "onboarding", "security", "latency", "refunds", "search", "backups"];

    public static string Content(int i) =>
        $"Task {i}: the customer asked about {Topics[i % Topics.Length]} issue #{i * 7919 % 100_000}; resolved by checking the {Topics[(i / 8) % Topics.Length]} runbook step {i % 13}.";

    public static MemoryDraft Draft(int i) => new(Content(i))
    {
        Importance = (Importance)(i % 4),
        Tags = [Topics[i % Topics.Length], $"customer-{i % 97}"],
        Metadata = JsonDocument.Parse($$"""{"ticket":{{i}},"channel":"email","resolved":true}""").RootElement.Clone(),
    };

    /// <summary>The rows as the store would write them, for the baselines (same table, same values).</summary>
    public static List<MemoryEntry> Entries(string agentPrefix, int count, int agents, IReadOnlyDictionary<string, float[]> vectors, string model)
    {
        var now = DateTimeOffset.UtcNow;
        var list = new List<MemoryEntry>(count);
        for (var i = 0; i < count; i++)
        {
            var draft = Draft(i);
            list.Add(new MemoryEntry
            {
                Id = Guid.CreateVersion7(),
                AgentId = $"{agentPrefix}-{i % agents}",
                Type = MemoryType.Episodic,
                Content = draft.Content,
                Metadata = draft.Metadata!.Value,
                Importance = draft.Importance,
                Tags = [.. draft.Tags!],
                CreatedAt = now,
                LastAccessedAt = now,
                UpdatedAt = now,
                Embedding = vectors[draft.Content],
                EmbeddingModel = model,
                Version = 1,
            });
        }

        return list;
    }

    public static Dictionary<string, float[]> Vectors(int count)
    {
        var generator = new HashingEmbeddingGenerator();
        var vectors = new Dictionary<string, float[]>(count);
        for (var i = 0; i < count; i++)
        {
            var content = Content(i);
            var vector = new float[generator.Dimensions];
            generator.Embed(content, vector);
            vectors[content] = vector;
        }

        return vectors;
    }
}
