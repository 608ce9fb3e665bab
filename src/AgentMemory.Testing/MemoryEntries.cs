using System.Text.Json;
using AgentMemory.Storage;
using NUnit.Framework;

namespace AgentMemory.Testing;

/// <summary>Builds memory entries for store tests and compares them field by field.</summary>
public static class MemoryEntries
{
    private static readonly DateTimeOffset Base = new(2026, 3, 14, 15, 9, 26, TimeSpan.Zero);

    /// <summary>An agent id no other test uses, so tests may share one store.</summary>
    /// <param name="prefix">Readable start of the id.</param>
    /// <returns>The id.</returns>
    public static string UniqueAgent(string prefix = "agent") => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>An episodic memory with only the required fields set.</summary>
    /// <param name="agentId">The agent.</param>
    /// <param name="content">The content.</param>
    /// <param name="version">The version.</param>
    /// <param name="id">The id; a new time-ordered one when <see langword="null"/>.</param>
    /// <param name="created">The creation (and last access and update) time; a fixed time when <see langword="null"/>.</param>
    /// <returns>The entry.</returns>
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
    /// <param name="agentId">The agent.</param>
    /// <param name="seed">Varies every field.</param>
    /// <returns>The entry.</returns>
    public static MemoryEntry Full(string agentId, int seed = 0)
    {
        // Times at the microsecond precision every store keeps.
        var ticks = Base.AddMinutes(seed).AddTicks(1234567).UtcTicks;
        var created = new DateTimeOffset(ticks - (ticks % 10), TimeSpan.Zero);
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
            Metadata = Json($$$"""{"seed":{{{seed}}},"source":"chat","nested":{"list":[1,2.5,"three",null,true,{"deep":"ü"}],"empty":{}},"unicode":"ç∂ƒ😀","big":12345678901234567890}"""),
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
            Source = (MemorySource)(1 + (seed % 5)),
            Trusted = seed % 2 == 0,
        };
    }

    /// <summary>A JSON value that outlives its document, for metadata and agent state.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The value.</returns>
    public static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>Asserts that every field of <paramref name="actual"/> equals that of <paramref name="expected"/>.</summary>
    /// <param name="actual">What the store returned.</param>
    /// <param name="expected">What was written.</param>
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
            Assert.That(actual.Source, Is.EqualTo(expected.Source), "Source");
            Assert.That(actual.Trusted, Is.EqualTo(expected.Trusted), "Trusted");
        });
    }

    /// <summary>
    /// Every field of a memory but its vector, as one string: two hosts hold the same memory exactly when the strings
    /// are equal.
    /// </summary>
    /// <param name="entry">The memory.</param>
    /// <returns>The fields, in declaration order.</returns>
    public static string Fingerprint(MemoryEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return string.Join(
            ";",
            entry.Id,
            entry.Type,
            entry.Content,
            entry.Metadata.GetRawText(),
            entry.Importance,
            entry.Valence.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            string.Join(",", entry.Tags),
            entry.CreatedAt.UtcTicks,
            entry.LastAccessedAt.UtcTicks,
            entry.UpdatedAt.UtcTicks,
            entry.AccessCount,
            entry.Utility.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            entry.Source,
            entry.Trusted,
            string.Join(",", entry.SourceIds),
            entry.ExpiresAt?.UtcTicks,
            entry.Version);
    }

    /// <summary>Every memory the store holds for the agent, in the order it streams them.</summary>
    /// <param name="store">The store.</param>
    /// <param name="agentId">The agent.</param>
    /// <returns>The memories.</returns>
    public static async Task<List<MemoryEntry>> LoadAllAsync(IMemoryStore store, string agentId)
    {
        var list = new List<MemoryEntry>();
        await foreach (var entry in store.LoadMemoriesAsync(agentId).ConfigureAwait(false))
        {
            list.Add(entry);
        }

        return list;
    }

    /// <summary>
    /// Reads the store's change feed with the same query until a page satisfies <paramref name="done"/>, or for at
    /// most 10 seconds: a change is readable only once every transaction before it has ended, and other work on the
    /// database may hold that back a moment.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="query">The query, read again unchanged.</param>
    /// <param name="done">Whether a page is the one waited for.</param>
    /// <returns>The first page that satisfies <paramref name="done"/>, or the last one read.</returns>
    public static async Task<MemoryChangePage> ReadChangesUntilAsync(IMemoryStore store, MemoryChangeQuery query, Func<MemoryChangePage, bool> done)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(done);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var page = await store.ReadChangesAsync(query).ConfigureAwait(false);
            if (done(page) || DateTime.UtcNow > deadline)
            {
                return page;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }
}
