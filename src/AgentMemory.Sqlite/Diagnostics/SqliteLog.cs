using Microsoft.Extensions.Logging;

namespace AgentMemory.Sqlite.Diagnostics;

/// <summary>The SQLite store's log messages.</summary>
internal static partial class SqliteLog
{
    [LoggerMessage(EventId = 3001, EventName = "MigrationApplied", Level = LogLevel.Information,
        Message = "Applied AgentMemory migration {Version} ({Name}) to {Path} in {ElapsedMs:F1} ms")]
    public static partial void MigrationApplied(ILogger logger, string path, int version, string name, double elapsedMs);

    [LoggerMessage(EventId = 3002, EventName = "SchemaReady", Level = LogLevel.Information,
        Message = "AgentMemory SQLite file {Path} is at schema version {Version}")]
    public static partial void SchemaReady(ILogger logger, string path, int version);

    [LoggerMessage(EventId = 3003, EventName = "BatchWritten", Level = LogLevel.Trace,
        Message = "Wrote {Upserts} upserts, {Deletes} deletes, {Accesses} access updates to SQLite in {ElapsedMs:F1} ms")]
    public static partial void BatchWritten(ILogger logger, int upserts, int deletes, int accesses, double elapsedMs);
}
