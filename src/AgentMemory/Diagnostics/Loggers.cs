using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentMemory.Diagnostics;

/// <summary>Loggers for components that take an optional <see cref="ILoggerFactory"/>: a host without logging gets silent ones.</summary>
internal static class Loggers
{
    public static ILogger Create<T>(ILoggerFactory? loggerFactory) => (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<T>();
}
