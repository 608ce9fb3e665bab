using NUnit.Framework;

namespace AgentMemory.Tests.TestSupport;

/// <summary>Waits for something a background task does (the writer, the embedder), failing the test when it never happens.</summary>
public static class Waiting
{
    public static Task UntilAsync(Func<bool> condition, string what) => UntilAsync(() => Task.FromResult(condition()), what);

    public static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{what}: not reached in 30 s");
            }

            await Task.Delay(10);
        }
    }
}
