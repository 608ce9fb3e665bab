using System.Text.Json;
using AgentMemory.Validation;
using NUnit.Framework;

namespace AgentMemory.Tests.TestSupport;

/// <summary>Builds memory entries for tests and compares them field by field.</summary>
public static class Entries
{
    private static readonly DateTimeOffset Base = new(2026, 3, 14, 15, 9, 26, TimeSpan.Zero);

    public static string UniqueAgent(string prefix = "agent") => $"{prefix}-{Guid.NewGuid():N}";

    public static MemoryEntry Simple(string agentId, string content, long version = 1, Guid? id = null, DateTimeOffset? created = null)
    {
        var at = created ?? Base;
        return new MemoryEntry
        {
            Id = id ?? Guid.CreateVersion7(at),
            AgentId = agentId,
            Type = MemoryType.Episodic,
            Content = content,
            CreatedAt = at,
            LastAccessedAt = at,
            UpdatedAt = at,
            Version = version,
        };
    }

    /// <summary>An entry with every field set to a non-default value, including awkward text.</summary>
    public static MemoryEntry Full(string agentId, int seed = 0)
    {
        var created = TimeRules.Normalize(Base.AddMinutes(seed).AddTicks(1234567));
        var embedding = new float[384];
        for (var i = 0; i < embedding.Length; i++)
        {
            embedding[i] = MathF.Sin((seed + 1) * (i + 1)) * 0.5f;
        }

        return new MemoryEntry
        {
            Id = Guid.CreateVersion7(created),
            AgentId = agentId,
            Type = (MemoryType)(seed % 4),
            Content = $"Memory {seed}: the user 👩‍💻 prefers «dark mode» — 日本語 text, quotes ' \" \\ and a tab\tand newline\n; DROP TABLE memories; --",
            Metadata = MemoryJson.Parse($$$"""{"seed":{{{seed}}},"source":"chat","nested":{"list":[1,2.5,"three",null,true,{"deep":"ü"}],"empty":{}},"unicode":"ç∂ƒ😀","big":12345678901234567890}"""),
            Importance = (Importance)(seed % 4),
            Valence = ((seed % 21) - 10) / 10.0,
            Tags = ["preferences", $"tag-{seed}", "ünïcode"],
            CreatedAt = created,
            LastAccessedAt = created.AddHours(1),
            UpdatedAt = created.AddHours(2),
            AccessCount = seed + 3,
            Utility = Math.Round(((seed % 11) - 5) / 10.0, 3),
            SourceIds = [Guid.CreateVersion7(created.AddDays(-1)), Guid.CreateVersion7(created.AddDays(-2))],
            Embedding = embedding,
            EmbeddingModel = "test-model/384",
            ExpiresAt = created.AddYears(1),
            Version = 7 + seed,
        };
    }

    public static void AssertSame(MemoryEntry actual, MemoryEntry expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(actual.Id, Is.EqualTo(expected.Id), "Id");
            Assert.That(actual.AgentId, Is.EqualTo(expected.AgentId), "AgentId");
            Assert.That(actual.Type, Is.EqualTo(expected.Type), "Type");
            Assert.That(actual.Content, Is.EqualTo(expected.Content), "Content");
            Assert.That(JsonElement.DeepEquals(actual.Metadata, expected.Metadata), Is.True, $"Metadata: {actual.Metadata} vs {expected.Metadata}");
            Assert.That(actual.Importance, Is.EqualTo(expected.Importance), "Importance");
            Assert.That(actual.Valence, Is.EqualTo(expected.Valence), "Valence");
            Assert.That(actual.Tags, Is.EqualTo(expected.Tags), "Tags");
            Assert.That(actual.CreatedAt, Is.EqualTo(expected.CreatedAt), "CreatedAt");
            Assert.That(actual.LastAccessedAt, Is.EqualTo(expected.LastAccessedAt), "LastAccessedAt");
            Assert.That(actual.UpdatedAt, Is.EqualTo(expected.UpdatedAt), "UpdatedAt");
            Assert.That(actual.AccessCount, Is.EqualTo(expected.AccessCount), "AccessCount");
            Assert.That(actual.Utility, Is.EqualTo(expected.Utility), "Utility");
            Assert.That(actual.SourceIds, Is.EqualTo(expected.SourceIds), "SourceIds");
            Assert.That(actual.Embedding?.ToArray(), Is.EqualTo(expected.Embedding?.ToArray()), "Embedding");
            Assert.That(actual.EmbeddingModel, Is.EqualTo(expected.EmbeddingModel), "EmbeddingModel");
            Assert.That(actual.ExpiresAt, Is.EqualTo(expected.ExpiresAt), "ExpiresAt");
            Assert.That(actual.Version, Is.EqualTo(expected.Version), "Version");
        });
    }

    public static async Task<List<MemoryEntry>> LoadAllAsync(IMemoryStore store, string agentId)
    {
        var list = new List<MemoryEntry>();
        await foreach (var entry in store.LoadMemoriesAsync(agentId))
        {
            list.Add(entry);
        }

        return list;
    }
}
