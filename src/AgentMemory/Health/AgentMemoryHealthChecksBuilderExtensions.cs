using AgentMemory;
using AgentMemory.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the memory system's health check: <c>services.AddHealthChecks().AddAgentMemory()</c>.</summary>
public static class AgentMemoryHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check of the memory system: the store answers, the writer keeps up, change notifications from other hosts
    /// arrive. Needs <c>AddAgentMemory</c>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name; "agentmemory" by default.</param>
    /// <param name="configure">Sets when the check reports degraded.</param>
    /// <param name="failureStatus">What an unreachable store reports; <see cref="HealthStatus.Unhealthy"/> by default.</param>
    /// <param name="tags">Tags of the check (to filter checks by endpoint).</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddAgentMemory(
        this IHealthChecksBuilder builder,
        string name = "agentmemory",
        Action<AgentMemoryHealthCheckOptions>? configure = null,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var options = builder.Services.AddOptions<AgentMemoryHealthCheckOptions>(name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options
            .Validate(static o => o.MaxWriterLag > TimeSpan.Zero, "AgentMemoryHealthCheckOptions.MaxWriterLag must be positive.")
            .Validate(static o => o.MaxBacklog > 0, "AgentMemoryHealthCheckOptions.MaxBacklog must be positive.")
            .Validate(static o => o.StoreTimeout > TimeSpan.Zero, "AgentMemoryHealthCheckOptions.StoreTimeout must be positive.");

        return builder.Add(new HealthCheckRegistration(
            name,
            static sp => ActivatorUtilities.CreateInstance<AgentMemoryHealthCheck>(sp),
            failureStatus,
            tags));
    }
}
