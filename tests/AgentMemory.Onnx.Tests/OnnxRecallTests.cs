using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace AgentMemory.Onnx.Tests;

/// <summary>Recall with the local model: the memory that means what the task is about is the closest in meaning, though it shares no telling word.</summary>
public sealed class OnnxRecallTests
{
    [Test]
    public async Task TheMemoryThatMeansTheTaskIsClosestInMeaningAndRecalledNearTheTop()
    {
        await using var host = MemoryTestHost.Create(services: s => s.AddAgentMemory().UseOnnxEmbeddings());
        await host.StartAsync();
        await host.Memory.RememberManyAsync("support-agent",
        [
            new MemoryDraft("Customer ACME is on the enterprise plan and prefers email"),
            new MemoryDraft("Users locked out after a credential reset must clear their browser cookies"),
            new MemoryDraft("Refunds above 500 EUR need approval from finance"),
            new MemoryDraft("The EU export endpoint was moved to eu2.example.com in March"),
            new MemoryDraft("Incident on Monday: the payment gateway was down for two hours"),
            new MemoryDraft("Shipping to Norway takes five working days"),
            new MemoryDraft("The office is closed on public holidays"),
            new MemoryDraft("Invoices are sent on the first day of each month"),
        ]);
        await host.Memory.FlushAsync();

        var recalled = await host.Memory.RecallAsync("support-agent", new RecallRequest("Customer cannot log in after the password expired") { Threshold = 0, UpdateAccessStatistics = false });

        var described = string.Join("\n", recalled.Select(r => $"{r.Score:0.000} semantic {r.Breakdown.Semantic:0.000} lexical {r.Breakdown.Lexical:0.000} {r.Memory.Content}"));
        Assert.That(recalled.MaxBy(r => r.Breakdown.Semantic)!.Memory.Content, Does.StartWith("Users locked out"), described);
        Assert.That(recalled.Take(2).Select(r => r.Memory.Content), Has.Some.StartWith("Users locked out"), described);
        Assert.That(recalled[0].Memory.EmbeddingModel, Does.Contain("snowflake-arctic-embed-xs"));
    }
}
