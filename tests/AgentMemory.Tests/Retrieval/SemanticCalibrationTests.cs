using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace AgentMemory.Tests.Retrieval;

/// <summary>
/// One semantic share serves any model: a generator whose cosines sit in a narrow band (0.9 to 1, as
/// snowflake-arctic-embed's do) ranks and scores like one whose cosines spread over [0, 1], because each recall
/// calibrates the cosines it sees; without calibration the narrow band's semantic scores all look alike.
/// </summary>
public sealed class SemanticCalibrationTests
{
    private const string Query = "which note matters";

    // Cosines with the query in the wide band: 0.9, 0.5, 0.3 and 0.1.
    private static readonly (string Content, float Cosine, int Axis)[] Notes =
        [("alpha note", 0.9f, 1), ("beta note", 0.5f, 2), ("delta note", 0.3f, 3), ("gamma note", 0.1f, 4)];

    [Test]
    public async Task ANarrowBandOfCosinesRanksAndScoresLikeAWideOne()
    {
        var wide = await RecallAsync(narrow: false, calibrate: true);
        var narrow = await RecallAsync(narrow: true, calibrate: true);

        Assert.That(wide.Select(r => r.Memory.Content), Is.EqualTo(Notes.Select(n => n.Content)), "ranked by meaning");
        Assert.That(narrow.Select(r => r.Memory.Content), Is.EqualTo(wide.Select(r => r.Memory.Content)));
        for (var i = 0; i < wide.Count; i++)
        {
            Assert.That(narrow[i].Breakdown.Semantic, Is.EqualTo(wide[i].Breakdown.Semantic).Within(1e-3), wide[i].Memory.Content);
        }

        Assert.That(wide[0].Breakdown.Semantic, Is.EqualTo(1).Within(1e-6), "the best counts as 1");
        Assert.That(wide[^1].Breakdown.Semantic, Is.EqualTo(0).Within(1e-6), "the least as 0");
    }

    [Test]
    public async Task WithoutCalibrationANarrowBandBarelySeparatesMemories()
    {
        var wide = await RecallAsync(narrow: false, calibrate: false);
        var narrow = await RecallAsync(narrow: true, calibrate: false);

        static double Spread(IReadOnlyList<RecalledMemory> recalled) => recalled.Max(r => r.Breakdown.Semantic) - recalled.Min(r => r.Breakdown.Semantic);
        Assert.That(Spread(wide), Is.EqualTo(0.8).Within(1e-3), "the raw cosines: 0.9 down to 0.1");
        Assert.That(Spread(narrow), Is.LessThan(0.1), "the same meanings, squeezed into a tenth of the range");
    }

    private static async Task<IReadOnlyList<RecalledMemory>> RecallAsync(bool narrow, bool calibrate)
    {
        var generator = new VectorEmbeddingGenerator().Set(Query, Vector(narrow, 1f, 0));
        foreach (var (content, cosine, axis) in Notes)
        {
            generator.Set(content, Vector(narrow, cosine, axis));
        }

        await using var host = MemoryTestHost.Create(
            o => o.Recall.CalibrateSemantic = calibrate,
            services: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(generator));
        await host.StartAsync();
        await host.Memory.RememberManyAsync("agent", Notes.Select(n => new MemoryDraft(n.Content)));
        await host.Memory.FlushAsync();
        return await host.Memory.RecallAsync("agent", new RecallRequest(Query)
        {
            Threshold = 0,
            Weights = new RecallWeights { Relevance = 1, Recency = 0, Importance = 0, Utility = 0 },
            UpdateAccessStatistics = false,
        });
    }

    /// <summary>
    /// A unit vector at <paramref name="cosine"/> from axis 0 (toward <paramref name="axis"/>); in the narrow band, with a
    /// component all vectors share (axis 63, three times as long), which maps every cosine c to 0.9 + 0.1 c.
    /// </summary>
    private static float[] Vector(bool narrow, float cosine, int axis)
    {
        var vector = VectorEmbeddingGenerator.Vector((0, cosine));
        if (axis > 0)
        {
            vector[axis] = MathF.Sqrt(1 - (cosine * cosine));
        }

        if (narrow)
        {
            vector[VectorEmbeddingGenerator.Dimensions - 1] = 3f;
            var norm = MathF.Sqrt(vector.Sum(x => x * x));
            for (var i = 0; i < vector.Length; i++)
            {
                vector[i] /= norm;
            }
        }

        return vector;
    }
}
