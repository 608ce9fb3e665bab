using System.ComponentModel.DataAnnotations;

namespace AgentMemory;

/// <summary>Options of learning from outcomes.</summary>
public sealed class LearningOptions
{
    /// <summary>
    /// How far one outcome moves a used memory's utility toward the reward (utility += rate × (reward − utility));
    /// 0.3 by default.
    /// </summary>
    [Range(0.0, 1.0)]
    public double LearningRate { get; set; } = 0.3;
}
