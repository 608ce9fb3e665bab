using AgentMemory.Learning;
using AgentMemory.Retrieval;
using AgentMemory.Storage;
using NUnit.Framework;

namespace AgentMemory.Tests.Learning;

/// <summary>The arithmetic of what an agent learns from outcomes, and its saved form.</summary>
public sealed class AgentLearningTests
{
    [Test]
    public void AWordWeighsOneOverOnePlusTimesMisled()
    {
        var learning = new AgentLearning();
        Assert.That(learning.TermWeight("brok"), Is.EqualTo(1f));
        learning.Misled(["brok", "again"]);
        learning.Misled(["brok"]);
        Assert.That(learning.TermWeight("brok"), Is.EqualTo(1f / 3));
        Assert.That(learning.TermWeight("again"), Is.EqualTo(0.5f));
        Assert.That(learning.TermWeight("printer"), Is.EqualTo(1f));
    }

    [Test]
    public void WordsThatMisledTwiceAreLeftOutOfTheEmbeddedText()
    {
        var learning = new AgentLearning();
        Assert.That(learning.WithoutMisleadingWords("The printer broke again"), Is.EqualTo("The printer broke again"));
        learning.Misled(["brok", "again"]);
        Assert.That(learning.WithoutMisleadingWords("The printer broke again"), Is.EqualTo("The printer broke again"), "once is not yet a pattern");
        learning.Misled(["brok", "again"]);
        Assert.That(learning.WithoutMisleadingWords("The printer broke again, fix it!"), Is.EqualTo("The printer  , fix it!"));
        learning.Misled(["printer", "printer"]);
        learning.Misled(["fix"]);
        learning.Misled(["fix"]);
        Assert.That(learning.WithoutMisleadingWords("printer broke again fix"), Is.EqualTo("printer broke again fix"), "a text with no word left is embedded whole");
    }

    [Test]
    public void EachSignalsShareFollowsItsOdds()
    {
        var learning = new AgentLearning();
        Assert.That(learning.SemanticShare(0.5), Is.EqualTo(0.5));

        // The embedding put forward a memory that misled (strength 1); the word match did so only weakly (0.2).
        learning.CreditSignals(lexical: 0.2, semantic: 1.0, reward: -1);

        // Odds: semantic 1 / 2, lexical 1 / 1.2 → share 0.5·0.5 / (0.5·0.5 + 0.5·0.8333) = 0.375.
        Assert.That(learning.SemanticShare(0.5), Is.EqualTo(0.375).Within(1e-9));
        learning.CreditSignals(lexical: 0.0, semantic: 1.0, reward: 1);
        Assert.That(learning.SemanticShare(0.5), Is.EqualTo(0.5 * 1.0 / ((0.5 * 1.0) + (0.5 / 1.2))).Within(1e-9));
    }

    [Test]
    public void WhatWasLearnedRoundTripsThroughTheAgentsCounters()
    {
        var learning = new AgentLearning();
        var deltas = new Dictionary<string, double>();
        learning.Misled(["brok", "brok", "client"], deltas);
        learning.CreditSignals(0.25, 0.75, -1, deltas);
        var state = new AgentState { AgentId = "a1", CreatedAt = DateTimeOffset.UnixEpoch, Counters = deltas };

        var loaded = AgentLearning.FromStored(state);

        Assert.That(deltas["misled:brok"], Is.EqualTo(2));
        Assert.That(loaded.TermWeight("brok"), Is.EqualTo(learning.TermWeight("brok")));
        Assert.That(loaded.TermWeight("client"), Is.EqualTo(learning.TermWeight("client")));
        Assert.That(loaded.SemanticShare(0.5), Is.EqualTo(learning.SemanticShare(0.5)).Within(1e-9));
    }

    [Test]
    public void LearningKeptInTheSettingsByEarlierVersionsAddsToTheCounters()
    {
        var settings = MemoryJson.Parse("""{"mine":[1,2],"learning":{"misled":{"brok":2},"semantic":[0,0.75],"lexical":[0,0.25]}}""");
        var counters = new Dictionary<string, double> { ["misled:brok"] = 1, ["semantic.misled"] = 0.25 };
        var loaded = AgentLearning.FromStored(new AgentState { AgentId = "a1", CreatedAt = DateTimeOffset.UnixEpoch, Settings = settings, Counters = counters });

        var expected = new AgentLearning();
        expected.Misled(["brok", "brok", "brok"]);
        expected.CreditSignals(0.25, 1.0, -1);
        Assert.That(loaded.TermWeight("brok"), Is.EqualTo(expected.TermWeight("brok")));
        Assert.That(loaded.SemanticShare(0.5), Is.EqualTo(expected.SemanticShare(0.5)).Within(1e-9));
        Assert.That(AgentLearning.WithoutLearning(settings).GetRawText(), Is.EqualTo("""{"mine":[1,2]}"""));
    }
}
