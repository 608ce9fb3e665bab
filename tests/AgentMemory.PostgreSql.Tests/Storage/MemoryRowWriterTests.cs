using System.Text;
using System.Text.Json;
using AgentMemory.PostgreSql.Storage;
using AgentMemory.Shared;
using AgentMemory.PostgreSql.Tests.TestSupport;
using AgentMemory.Tests.TestSupport;
using Npgsql;
using NpgsqlTypes;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.Storage;

/// <summary>
/// The store encodes rows of its binary COPY itself; every value must land in the table exactly as Npgsql's own binary
/// importer would have put it there, edge values included, and a copy that fails on this side must leave nothing behind.
/// </summary>
public sealed class MemoryRowWriterTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 11, 12, TimeSpan.Zero);

    [Test]
    public async Task EveryValueIsStoredAsNpgsqlsImporterStoresIt()
    {
        await using var test = await PostgresTestStore.CreateAsync();
        var schema = test.Schema;
        await schema.ExecuteAsync("CREATE TABLE @schema.by_writer (LIKE @schema.memories INCLUDING DEFAULTS); CREATE TABLE @schema.by_importer (LIKE @schema.memories INCLUDING DEFAULTS)");
        var entries = EdgeEntries();

        await using (var connection = await schema.DataSource.OpenConnectionAsync())
        {
            await MemoryRowWriter.CopyAsync(connection, $"\"{schema.Name}\".by_writer", entries, TimeSpan.FromMinutes(1), CancellationToken.None);
            await CopyWithImporterAsync(connection, $"\"{schema.Name}\".by_importer", entries);
        }

        var written = await schema.ScalarAsync<long>("SELECT count(*) FROM @schema.by_writer");
        var onlyWriter = await schema.ScalarAsync<long>($"SELECT count(*) FROM (SELECT {MemoryColumns.List} FROM @schema.by_writer EXCEPT SELECT {MemoryColumns.List} FROM @schema.by_importer) d");
        var onlyImporter = await schema.ScalarAsync<long>($"SELECT count(*) FROM (SELECT {MemoryColumns.List} FROM @schema.by_importer EXCEPT SELECT {MemoryColumns.List} FROM @schema.by_writer) d");
        Assert.Multiple(() =>
        {
            Assert.That(written, Is.EqualTo(entries.Count));
            Assert.That(onlyWriter, Is.Zero, "rows only the writer has");
            Assert.That(onlyImporter, Is.Zero, "rows only the importer has");
        });
    }

    [Test]
    public async Task EdgeRowsReadBackThroughTheStoreAsWritten()
    {
        await using var test = await PostgresTestStore.CreateAsync();
        var entries = EdgeEntries().Take(8).ToList();
        await test.Store.ApplyAsync(new MemoryChangeSet { Inserts = entries });

        var loaded = new Dictionary<Guid, MemoryEntry>();
        foreach (var agent in entries.Select(e => e.AgentId).Distinct())
        {
            foreach (var entry in await MemoryEntries.LoadAllAsync(test.Store, agent))
            {
                loaded[entry.Id] = entry;
            }
        }

        Assert.That(loaded, Has.Count.EqualTo(entries.Count));
        foreach (var expected in entries)
        {
            MemoryEntries.AssertSame(loaded[expected.Id], expected with
            {
                CreatedAt = Microseconds(expected.CreatedAt),
                LastAccessedAt = Microseconds(expected.LastAccessedAt),
                UpdatedAt = Microseconds(expected.UpdatedAt),
                ExpiresAt = expected.ExpiresAt is { } expires ? Microseconds(expires) : null,
            });
        }
    }

    [Test]
    public async Task ACopyThatFailsOnThisSideWritesNothingAndTheStoreCarriesOn()
    {
        await using var test = await PostgresTestStore.CreateAsync();
        var good = Enumerable.Range(0, 3_000).Select(i => Entry($"memory {i} " + new string('x', 400))).ToList();

        // A lone surrogate cannot be encoded as UTF-8: the copy fails here, after more than a megabyte has been sent.
        var bad = Entry("broken \uD800 text");
        var failure = Assert.ThrowsAsync<MemoryStoreException>(() => test.Store.ApplyAsync(new MemoryChangeSet { Inserts = [.. good, bad] }));

        Assert.That(failure!.IsTransient, Is.False, "a row that cannot be written is refused, not retried for ever");
        Assert.That(await test.Schema.ScalarAsync<long>("SELECT count(*) FROM @schema.memories"), Is.Zero);

        await test.Store.ApplyAsync(new MemoryChangeSet { Inserts = good });
        Assert.That(await test.Schema.ScalarAsync<long>("SELECT count(*) FROM @schema.memories"), Is.EqualTo(good.Count));
    }

    [TestCase("content")]
    [TestCase("tags")]
    [TestCase("source_ids")]
    public async Task AMissingRequiredFieldIsRefusedByTheDatabaseNamingTheColumn(string column)
    {
        await using var test = await PostgresTestStore.CreateAsync();
        var entry = column switch
        {
            "content" => Entry("placeholder") with { Content = null! },
            "tags" => Entry("no tag list") with { Tags = null! },
            _ => Entry("no source list") with { SourceIds = null! },
        };

        var failure = Assert.ThrowsAsync<MemoryStoreException>(() => test.Store.ApplyAsync(new MemoryChangeSet { Inserts = [entry] }));

        Assert.Multiple(() =>
        {
            Assert.That(failure!.IsTransient, Is.False);
            Assert.That(failure.Message, Does.Contain("23502").And.Contain($"\"{column}\""));
        });
    }

    [Test]
    public async Task ACopyThatFailsOnThisSideIsCancelledAndTheConnectionServesTheNextCommand()
    {
        await using var test = await PostgresTestStore.CreateAsync();
        var table = $"\"{test.Schema.Name}\".memories";
        var entries = Enumerable.Range(0, 3_000).Select(i => Entry($"memory {i} " + new string('x', 400))).Append(Entry("broken \uD800 text")).ToList();
        await using var connection = await test.Schema.DataSource.OpenConnectionAsync();

        Assert.ThrowsAsync<EncoderFallbackException>(() => MemoryRowWriter.CopyAsync(connection, table, entries, TimeSpan.FromMinutes(1), CancellationToken.None));

        await using var count = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        Assert.That(await count.ExecuteScalarAsync(), Is.Zero, "the same connection answers, and nothing of the copy counted");
    }

    /// <summary>What PostgreSQL keeps of a time: whole microseconds counted from 2000 (cut toward 2000, as Npgsql cuts them), the extremes as infinities.</summary>
    private static DateTimeOffset Microseconds(DateTimeOffset value)
    {
        var epoch = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
        return value.UtcTicks == DateTime.MaxValue.Ticks || value.UtcTicks == DateTime.MinValue.Ticks
            ? new DateTimeOffset(value.UtcTicks, TimeSpan.Zero)
            : new DateTimeOffset(epoch + ((value.UtcTicks - epoch) / TimeSpan.TicksPerMicrosecond * TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);
    }

    private static MemoryEntry Entry(string content, string agent = "agent") => MemoryEntries.Simple(agent, content, created: Now);

    /// <summary>Every field set, unset and at its edges; a row larger than the writer's chunk; enough rows for many chunks.</summary>
    private static List<MemoryEntry> EdgeEntries()
    {
        var embedding = new float[384];
        for (var i = 0; i < embedding.Length; i++)
        {
            embedding[i] = (i % 5) switch { 0 => -0f, 1 => float.Epsilon, 2 => float.MaxValue, 3 => -1.5e-20f, _ => i / 7f };
        }

        var entries = new List<MemoryEntry>
        {
            Entry("plain") with
            {
                Metadata = JsonDocument.Parse("""{"ticket":1,"nested":{"list":[1,2.5,{"deep":true}],"none":null}}""").RootElement,
                Importance = Importance.Critical,
                Valence = -1,
                Tags = ["billing", "urgent"],
                AccessCount = long.MaxValue,
                Utility = -3.25,
                SourceIds = [Guid.NewGuid(), Guid.Empty, Guid.Parse("00112233-4455-6677-8899-aabbccddeeff")],
                Embedding = embedding,
                EmbeddingModel = "provider/model",
                ExpiresAt = Now.AddDays(30),
                Version = long.MaxValue,
            },
            Entry("héllo 世界 🧠 e\u0301 — \"quoted\" \\ back\tslash", "agent-ü") with
            {
                Type = MemoryType.Procedural,
                Metadata = JsonDocument.Parse("""{"emoji":"🧠","escaped":"ü\"q\\","\u00e9":"\u0041"}""").RootElement,
                Tags = ["日本", "ça", "🧠"],
                Valence = 1,
            },
            Entry("nothing optional") with { Type = MemoryType.Working, Importance = Importance.Low },
            Entry("sub-microsecond and before 2000") with
            {
                Type = MemoryType.Semantic,
                CreatedAt = new DateTimeOffset(1999, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_995),
                LastAccessedAt = new DateTimeOffset(2026, 11, 23, 10, 11, 12, TimeSpan.FromHours(5.5)).AddTicks(1_234_567),
                UpdatedAt = new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(-3),
            },
            Entry("the extremes") with { CreatedAt = DateTimeOffset.MinValue, ExpiresAt = DateTimeOffset.MaxValue },
            Entry(string.Concat(Enumerable.Repeat("three-byte ✓ characters ", 12_000))),
            Entry("empty embedding") with { Embedding = Array.Empty<float>(), EmbeddingModel = string.Empty, Tags = [string.Empty] },
            Entry("part of a larger array") with { Embedding = new ReadOnlyMemory<float>(embedding, 128, 64) },
        };
        entries.AddRange(Enumerable.Range(0, 2_000).Select(i => Entry($"row {i}", $"agent-{i % 7}") with { Embedding = embedding, Tags = [$"tag-{i % 13}"] }));
        return entries;
    }

    /// <summary>The reference: Npgsql's binary importer, one typed value at a time (how the store wrote rows before it encoded them).</summary>
    private static async Task CopyWithImporterAsync(NpgsqlConnection connection, string table, List<MemoryEntry> entries)
    {
        await using var importer = await connection.BeginBinaryImportAsync($"COPY {table} ({MemoryColumns.List}) FROM STDIN (FORMAT BINARY)");
        foreach (var entry in entries)
        {
            await importer.StartRowAsync();
            await importer.WriteAsync(entry.AgentId, NpgsqlDbType.Text);
            await importer.WriteAsync(entry.Id, NpgsqlDbType.Uuid);
            await importer.WriteAsync((short)entry.Type, NpgsqlDbType.Smallint);
            await importer.WriteAsync(entry.Content, NpgsqlDbType.Text);
            await importer.WriteAsync(entry.Metadata.ValueKind == JsonValueKind.Undefined ? "{}" : entry.Metadata.GetRawText(), NpgsqlDbType.Jsonb);
            await importer.WriteAsync((short)entry.Importance, NpgsqlDbType.Smallint);
            await importer.WriteAsync(entry.Valence, NpgsqlDbType.Double);
            await importer.WriteAsync(entry.Tags.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
            await importer.WriteAsync(entry.CreatedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
            await importer.WriteAsync(entry.LastAccessedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
            await importer.WriteAsync(entry.UpdatedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
            await importer.WriteAsync(entry.AccessCount, NpgsqlDbType.Bigint);
            await importer.WriteAsync(entry.Utility, NpgsqlDbType.Double);
            await importer.WriteAsync(entry.SourceIds.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Uuid);
            if (entry.Embedding is { } embedding)
            {
                await importer.WriteAsync(EmbeddingBytes.Encode(embedding.Span), NpgsqlDbType.Bytea);
            }
            else
            {
                await importer.WriteNullAsync();
            }

            await importer.WriteAsync(entry.EmbeddingModel, NpgsqlDbType.Text);
            if (entry.ExpiresAt is { } expires)
            {
                await importer.WriteAsync(expires.UtcDateTime, NpgsqlDbType.TimestampTz);
            }
            else
            {
                await importer.WriteNullAsync();
            }

            await importer.WriteAsync(entry.Version, NpgsqlDbType.Bigint);
            await importer.WriteAsync((short)entry.Source, NpgsqlDbType.Smallint);
            await importer.WriteAsync(entry.Trusted, NpgsqlDbType.Boolean);
        }

        await importer.CompleteAsync();
    }
}
