using NUnit.Framework;

namespace AgentMemory.Tests.TestSupport;

/// <summary>Waits for something a background task does (the writer, the embedder), failing the test when it never happens.</summary>
public static class Waiting
{
    public static Task UntilAsync(Func<bool> condition, string what, int seconds = 30) => UntilAsync(() => Task.FromResult(condition()), what, seconds);

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{what}: not reached in {seconds} s");
            }

            await Task.Delay(10);
        }
    }
}
