using System.Text.Json;
using AgentMemory.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.Tests.Validation;

/// <summary>Every validation rule of the public API, each with its bad input and the message that names the field.</summary>
public sealed class ValidationTests
{
    private const string Agent = "agent-1";
    private MemoryTestHost _host = null!;

    private IMemorySystem Memory => _host.Memory;

    [SetUp]
    public void SetUp() => _host = MemoryTestHost.Create(o => o.MaxContentBytes = 1024);

    [TearDown]
    public async Task TearDown() => await _host.DisposeAsync();

    public static IEnumerable<TestCaseData> BadRemembers()
    {
        TestCaseData Case(string name, string agentId, Func<MemoryDraft> draft, string param, string fragment) =>
            new TestCaseData(agentId, draft, param, fragment).SetName(name);

        yield return Case("agent id empty", "", () => "x", "agentId", "must not be empty");
        yield return Case("agent id white space", "   ", () => "x", "agentId", "must not be empty");
        yield return Case("agent id too long", new string('a', 201), () => "x", "agentId", "at most 200 characters");
        yield return Case("agent id control character", "agent\u0007", () => "x", "agentId", "control characters");
        yield return Case("agent id NUL", "agent\0", () => "x", "agentId", "NUL");
        yield return Case("agent id lone surrogate", "agent\ud800", () => "x", "agentId", "lone high surrogate");
        yield return Case("content empty", Agent, () => "", "content", "must not be empty");
        yield return Case("content white space", Agent, () => " \n\t ", "content", "must not be empty");
        yield return Case("content NUL", Agent, () => "abc\0def", "content", "NUL");
        yield return Case("content lone low surrogate", Agent, () => "abc\udc00", "content", "lone low surrogate");
        yield return Case("content over the limit", Agent, () => new string('é', 513), "content", "at most 1024 bytes");
        yield return Case("tag empty", Agent, () => new MemoryDraft("x") { Tags = ["ok", " "] }, "tags", "1 to 100 characters");
        yield return Case("tag too long", Agent, () => new MemoryDraft("x") { Tags = [new string('t', 101)] }, "tags", "1 to 100 characters");
        yield return Case("tag NUL", Agent, () => new MemoryDraft("x") { Tags = ["a\0b"] }, "tags", "NUL");
        yield return Case("tag null", Agent, () => new MemoryDraft("x") { Tags = [null!] }, "tags", "must not be null");
        yield return Case("too many tags", Agent, () => new MemoryDraft("x") { Tags = Enumerable.Range(0, 65).Select(i => $"t{i}") }, "tags", "at most 64");
        yield return Case("too many tags in an endless sequence", Agent, () => new MemoryDraft("x") { Tags = EndlessTags() }, "tags", "at most 64");
        yield return Case("too many tags in an array", Agent, () => new MemoryDraft("x") { Tags = [.. Enumerable.Range(0, 65).Select(i => $"t{i}")] }, "tags", "at most 64");
        yield return Case("bad tag after a repeat", Agent, () => new MemoryDraft("x") { Tags = ["a", "A", "a\0b"] }, "tags", "tags[2]");
        yield return Case("valence NaN", Agent, () => new MemoryDraft("x") { Valence = double.NaN }, "valence", "finite number from -1 to 1");
        yield return Case("valence infinite", Agent, () => new MemoryDraft("x") { Valence = double.PositiveInfinity }, "valence", "finite number from -1 to 1");
        yield return Case("valence above 1", Agent, () => new MemoryDraft("x") { Valence = 1.0001 }, "valence", "finite number from -1 to 1");
        yield return Case("valence below -1", Agent, () => new MemoryDraft("x") { Valence = -1.5 }, "valence", "finite number from -1 to 1");
        yield return Case("metadata not an object", Agent, () => new MemoryDraft("x") { Metadata = Json("[1,2]") }, "metadata", "must be a JSON object");
        yield return Case("metadata NUL in key", Agent, () => new MemoryDraft("x") { Metadata = Json("""{"a\u0000b":1}""") }, "metadata", "NUL");
        yield return Case("metadata NUL in value", Agent, () => new MemoryDraft("x") { Metadata = Json("""{"a":["ok","b\u0000"]}""") }, "metadata", "NUL");
        yield return Case("metadata duplicate key", Agent, () => new MemoryDraft("x") { Metadata = Json("""{"a":1,"a":2}""") }, "metadata", "must not repeat a key");
        yield return Case("metadata key repeated behind an escape", Agent, () => new MemoryDraft("x") { Metadata = Json("""{"ab":1,"a\u0062":2}""") }, "metadata", "'ab' appears twice");
        yield return Case("metadata key repeated in a large object", Agent, () => new MemoryDraft("x") { Metadata = Json("{" + string.Join(",", Enumerable.Range(0, 12).Select(i => $"\"k{i}\":{i}")) + ",\"k3\":0}") }, "metadata", "'k3' appears twice");
        yield return Case("metadata key repeated in a nested object", Agent, () => new MemoryDraft("x") { Metadata = Json("""{"outer":{"x":1,"y":2,"x":3}}""") }, "metadata", "'x' appears twice in metadata.outer");
        yield return Case("metadata lone surrogate in a key", Agent, () => new MemoryDraft("x") { Metadata = Json("""{"a\ud800":1}""") }, "metadata", "not valid UTF-16");
        yield return Case("metadata lone surrogate in a nested value", Agent, () => new MemoryDraft("x") { Metadata = Json("""{"a":{"b":["ok","\udc00"]}}""") }, "metadata", "metadata.a.b[1] is not valid UTF-16");
        yield return Case("metadata too deep", Agent, () => new MemoryDraft("x") { Metadata = Deep(70) }, "metadata", "nested deeper than 64");
        yield return Case("metadata too large", Agent, () => new MemoryDraft("x") { Metadata = Json($$"""{"a":"{{new string('m', 70_000)}}"}""") }, "metadata", "at most 65536 bytes");
        yield return Case("unknown memory type", Agent, () => new MemoryDraft("x") { Type = (MemoryType)42 }, "type", "unknown value");
        yield return Case("unknown importance", Agent, () => new MemoryDraft("x") { Importance = (Importance)(-1) }, "importance", "unknown value");
        yield return Case("empty id", Agent, () => new MemoryDraft("x") { Id = Guid.Empty }, "id", "empty GUID");
    }

    [TestCaseSource(nameof(BadRemembers))]
    public async Task RememberRefusesBadInputNamingTheField(string agentId, Func<MemoryDraft> draft, string param, string fragment)
    {
        var ex = Assert.CatchAsync<ArgumentException>(async () => await Memory.RememberAsync(agentId, draft()));
        Assert.That(ex!.ParamName, Does.StartWith(param));
        Assert.That(ex.Message, Does.Contain(fragment));

        // Nothing reached the agent or the store.
        if (agentId == Agent)
        {
            Assert.That((await Memory.ListAsync(Agent)).TotalCount, Is.Zero);
        }

        await Memory.FlushAsync();
        Assert.That(await MemoryEntries.LoadAllAsync(_host.Store, Agent), Is.Empty);
    }

    [Test]
    public void NullAgentIdIsRefused()
    {
        var ex = Assert.CatchAsync<ArgumentNullException>(async () => await Memory.RememberAsync(null!, "x"));
        Assert.That(ex!.ParamName, Is.EqualTo("agentId"));
    }

    [Test]
    public void NullContentIsRefused()
    {
        var ex = Assert.CatchAsync<ArgumentNullException>(async () => await Memory.RememberAsync(Agent, new MemoryDraft(null!)));
        Assert.That(ex!.ParamName, Is.EqualTo("content"));
    }

    [Test]
    public async Task RememberManyRefusesAllWhenOneIsBad()
    {
        var ex = Assert.CatchAsync<ArgumentException>(async () => await Memory.RememberManyAsync(Agent, ["fine", "also fine", "bad\0"]));
        Assert.That(ex!.Message, Does.StartWith("memories[2]: content must not contain NUL"));
        Assert.That((await Memory.ListAsync(Agent)).TotalCount, Is.Zero);
    }

    [Test]
    public void ContentAtTheLimitIsAccepted()
    {
        Assert.DoesNotThrowAsync(async () => await Memory.RememberAsync(Agent, new string('é', 512)));
    }

    [Test]
    public void DefaultContentLimitIs32KiB()
    {
        Assert.That(new AgentMemoryOptions().MaxContentBytes, Is.EqualTo(32 * 1024));
    }

    [Test]
    public void EmptyGuidIsRefusedEverywhere()
    {
        Assert.That(Assert.CatchAsync<ArgumentException>(async () => await Memory.GetAsync(Agent, Guid.Empty))!.ParamName, Is.EqualTo("memoryId"));
        Assert.That(Assert.CatchAsync<ArgumentException>(async () => await Memory.ForgetAsync(Agent, Guid.Empty))!.ParamName, Is.EqualTo("memoryId"));
        Assert.That(Assert.CatchAsync<ArgumentException>(async () => await Memory.UpdateAsync(Agent, Guid.Empty, new MemoryUpdate()))!.ParamName, Is.EqualTo("memoryId"));
        Assert.That(Assert.CatchAsync<ArgumentException>(async () => await Memory.RecordOutcomeAsync(Agent, [Guid.Empty], 1))!.ParamName, Is.EqualTo("usedMemoryIds"));
    }

    [TestCase(double.NaN)]
    [TestCase(1.5)]
    [TestCase(-1.0001)]
    [TestCase(double.NegativeInfinity)]
    public void RewardOutOfRangeIsRefused(double reward)
    {
        var ex = Assert.CatchAsync<ArgumentOutOfRangeException>(async () => await Memory.RecordOutcomeAsync(Agent, [Guid.NewGuid()], reward));
        Assert.That(ex!.ParamName, Is.EqualTo("reward"));
        Assert.That(ex.Message, Does.Contain("from -1 to 1"));
    }

    [Test]
    public async Task UpdateValidatesEachField()
    {
        await Memory.RememberAsync(Agent, "original");
        await Memory.FlushAsync();
        var entry = (await Memory.ListAsync(Agent)).Items.Single();
        Assert.That(Assert.CatchAsync<ArgumentException>(async () => await Memory.UpdateAsync(Agent, entry.Id, new MemoryUpdate { Content = "" }))!.ParamName, Is.EqualTo("content"));
        Assert.That(Assert.CatchAsync<ArgumentException>(async () => await Memory.UpdateAsync(Agent, entry.Id, new MemoryUpdate { Tags = [""] }))!.ParamName, Is.EqualTo("tags"));
        Assert.That(Assert.CatchAsync<ArgumentException>(async () => await Memory.UpdateAsync(Agent, entry.Id, new MemoryUpdate { Valence = 2 }))!.ParamName, Is.EqualTo("valence"));
        Assert.That(Assert.CatchAsync<ArgumentException>(async () => await Memory.UpdateAsync(Agent, entry.Id, new MemoryUpdate { Type = (MemoryType)9 }))!.ParamName, Is.EqualTo("type"));
        Assert.That(Assert.CatchAsync<ArgumentException>(async () => await Memory.UpdateAsync(Agent, entry.Id, new MemoryUpdate { Metadata = Json("3") }))!.ParamName, Is.EqualTo("metadata"));
        Assert.That((await Memory.GetAsync(Agent, entry.Id))!.Version, Is.EqualTo(entry.Version), "nothing changed");
    }

    public static IEnumerable<TestCaseData> BadRecalls()
    {
        yield return new TestCaseData(new RecallRequest(""), "task", "must not be empty").SetName("recall empty task");
        yield return new TestCaseData(new RecallRequest("q") { MaxResults = 0 }, "maxResults", "from 1 to 1000").SetName("recall zero results");
        yield return new TestCaseData(new RecallRequest("q") { MaxResults = 1001 }, "maxResults", "from 1 to 1000").SetName("recall too many results");
        yield return new TestCaseData(new RecallRequest("q") { Threshold = double.NaN }, "threshold", "from 0 to 1").SetName("recall NaN threshold");
        yield return new TestCaseData(new RecallRequest("q") { Threshold = 1.2 }, "threshold", "from 0 to 1").SetName("recall threshold above 1");
        yield return new TestCaseData(new RecallRequest("q") { Weights = new RecallWeights { Recency = -1 } }, "weights.Recency", "not below 0").SetName("recall negative weight");
        yield return new TestCaseData(new RecallRequest("q") { Weights = new RecallWeights { Relevance = 0, Recency = 0, Importance = 0, Utility = 0 } }, "weights", "all be zero").SetName("recall all weights zero");
        yield return new TestCaseData(new RecallRequest("q") { Filter = new MemoryFilter { Types = [(MemoryType)7] } }, "filter.Types", "unknown value").SetName("recall unknown type filter");
        yield return new TestCaseData(new RecallRequest("q") { Context = "a\0b" }, "context", "NUL").SetName("recall NUL in context");
    }

    [TestCaseSource(nameof(BadRecalls))]
    public void RecallRefusesBadInput(RecallRequest request, string param, string fragment)
    {
        var ex = Assert.CatchAsync<ArgumentException>(async () => await Memory.RecallAsync(Agent, request));
        Assert.That(ex!.ParamName, Is.EqualTo(param));
        Assert.That(ex.Message, Does.Contain(fragment));
    }

    [Test]
    public void ListRefusesBadPaging()
    {
        Assert.That(Assert.CatchAsync<ArgumentOutOfRangeException>(async () => await Memory.ListAsync(Agent, new MemoryQuery { Limit = 0 }))!.ParamName, Is.EqualTo("query.Limit"));
        Assert.That(Assert.CatchAsync<ArgumentOutOfRangeException>(async () => await Memory.ListAsync(Agent, new MemoryQuery { Offset = -1 }))!.ParamName, Is.EqualTo("query.Offset"));
        Assert.That(Assert.CatchAsync<ArgumentException>(async () => await Memory.ListAsync(Agent, new MemoryQuery { CreatedAfter = DateTimeOffset.UnixEpoch.AddDays(1), CreatedBefore = DateTimeOffset.UnixEpoch }))!.ParamName, Is.EqualTo("filter"));
    }

    [Test]
    public void ForAgentValidatesTheAgentId()
    {
        Assert.That(Assert.Catch<ArgumentException>(() => Memory.ForAgent(""))!.ParamName, Is.EqualTo("agentId"));
    }

    [Test]
    public async Task AnyStringIsAnAgentId()
    {
        foreach (var agentId in new[] { "a", "user@example.com", "ünïcödé 日本", "'); DROP TABLE agents; --", "%_%", new string('x', 200), "with space" })
        {
            await Memory.RememberAsync(agentId, "hello");
            Assert.That((await Memory.ListAsync(agentId)).TotalCount, Is.EqualTo(1), agentId);
        }
    }

    [Test]
    public async Task MetadataNestedAsDeepAsTheJsonReaderAllowsIsKept()
    {
        // 64 nested objects with a value inside: what System.Text.Json's reader (and so a load) accepts; one more is refused.
        var kept = await Memory.RememberAsync(Agent, new MemoryDraft("deep") { Metadata = Deep(64) });
        var reparsed = JsonDocument.Parse(kept.Metadata.GetRawText());
        Assert.That(reparsed.RootElement.GetProperty("a").ValueKind, Is.EqualTo(JsonValueKind.Object));

        var error = Assert.CatchAsync<ArgumentException>(async () => await Memory.RememberAsync(Agent, new MemoryDraft("deeper") { Metadata = Deep(65) }));
        Assert.That(error!.Message, Does.Contain("nested deeper than 64"));
    }

    /// <summary>Distinct tags without end: validation must stop at the first one too many.</summary>
    private static IEnumerable<string> EndlessTags()
    {
        for (var i = 0; ; i++)
        {
            yield return $"t{i}";
        }
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 256 }).RootElement.Clone();

    private static JsonElement Deep(int depth) => Json(string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth));
}
