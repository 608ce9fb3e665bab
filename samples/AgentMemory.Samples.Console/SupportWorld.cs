namespace AgentMemory.Samples.ConsoleApp;

/// <summary>A small support desk: kinds of tickets, each solved by one approach the agent has to discover.</summary>
internal sealed class SupportWorld
{
    public static readonly string[] Approaches = ["reset the password", "issue a refund", "escalate to engineering", "send the setup guide"];

    public IReadOnlyList<SupportTask> Tasks { get; } =
    [
        new("Customer cannot log in after the password expired", 0),
        new("Customer was charged twice for the same order", 1),
        new("The export job crashes with a timeout on large accounts", 2),
        new("New customer asks how to connect the calendar integration", 3),
        new("Login fails for a user whose password was expired", 0),
        new("Duplicate charge on the invoice of order 1182", 1),
    ];

    public bool IsCorrect(SupportTask task, int approach) => task.Correct == approach;

    /// <summary>The approach of the best recalled success, or a random one; and the memory followed, if any.</summary>
    public static (int Approach, Guid[] Followed) Choose(AgentTurn turn, Random random)
    {
        foreach (var recalled in turn.Recalled)
        {
            var metadata = recalled.Memory.Metadata;
            if (metadata.TryGetProperty("success", out var success) && success.GetBoolean() && metadata.TryGetProperty("approach", out var approach))
            {
                return (approach.GetInt32(), [recalled.Memory.Id]);
            }
        }

        return (random.Next(Approaches.Length), []);
    }
}

internal sealed record SupportTask(string Text, int Correct);
