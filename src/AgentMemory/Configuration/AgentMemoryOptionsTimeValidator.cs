using Microsoft.Extensions.Options;

namespace AgentMemory;

/// <summary>Validates the time spans of <see cref="AgentMemoryOptions"/> (kept out of data annotations, which need reflection for them).</summary>
internal sealed class AgentMemoryOptionsTimeValidator : IValidateOptions<AgentMemoryOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentMemoryOptions options)
    {
        var failures = new List<string>();
        Check(failures, "Persistence.BatchInterval", options.Persistence.BatchInterval, TimeSpan.Zero, TimeSpan.FromMinutes(10));
        Check(failures, "Persistence.InitialRetryDelay", options.Persistence.InitialRetryDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1));
        Check(failures, "Persistence.MaxRetryDelay", options.Persistence.MaxRetryDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1));
        if (options.Persistence.MaxRetryDelay < options.Persistence.InitialRetryDelay)
        {
            failures.Add("Persistence.MaxRetryDelay must not be shorter than Persistence.InitialRetryDelay.");
        }

        Check(failures, "Recall.RecencyHalfLife", options.Recall.RecencyHalfLife, TimeSpan.FromSeconds(1), TimeSpan.FromDays(36500));
        Check(failures, "Embeddings.RetryDelay", options.Embeddings.RetryDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1));
        Check(failures, "Embeddings.Timeout", options.Embeddings.Timeout, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(10));
        Check(failures, "Embeddings.QueryTimeout", options.Embeddings.QueryTimeout, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(10));
        Check(failures, "Consolidation.Interval", options.Consolidation.Interval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(365));
        Check(failures, "Consolidation.StartupDelay", options.Consolidation.StartupDelay, TimeSpan.Zero, TimeSpan.FromDays(365));
        Check(failures, "ChangeFeed.PollInterval", options.ChangeFeed.PollInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        Check(failures, "ChangeFeed.TombstoneRetention", options.ChangeFeed.TombstoneRetention, TimeSpan.FromMinutes(1), TimeSpan.FromDays(3650));
        Check(failures, "Consolidation.ChatClientTimeout", options.Consolidation.ChatClientTimeout, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1));
        foreach (var (option, value) in new[] { ("Consolidation.WorkingPromotionImportance", options.Consolidation.WorkingPromotionImportance), ("Consolidation.PromotionImportance", options.Consolidation.PromotionImportance) })
        {
            if (!Enum.IsDefined(value))
            {
                failures.Add($"{option} must be one of {string.Join(", ", Enum.GetNames<Importance>())}; it is {(int)value}.");
            }
        }

        if (options.Recall.Weights.Total <= 0)
        {
            failures.Add("Recall.Weights must not all be zero.");
        }

        foreach (var agentId in options.PreloadAgents)
        {
            try
            {
                Validation.MemoryValidator.AgentId(agentId);
            }
            catch (ArgumentException ex)
            {
                failures.Add($"PreloadAgents: {ex.Message}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(List<string> failures, string name, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{name} must be from {min} to {max}; it is {value}.");
        }
    }
}
