using Microsoft.Extensions.Logging;

namespace AgentMemory.PostgreSql.Diagnostics;

/// <summary>The PostgreSQL store's log messages.</summary>
internal static partial class PostgresLog
{
    [LoggerMessage(EventId = 2001, EventName = "MigrationApplied", Level = LogLevel.Information,
        Message = "Applied AgentMemory migration {Version} ({Name}) to schema {Schema} in {ElapsedMs:F1} ms")]
    public static partial void MigrationApplied(ILogger logger, string schema, int version, string name, double elapsedMs);

    [LoggerMessage(EventId = 2002, EventName = "SchemaReady", Level = LogLevel.Information,
        Message = "AgentMemory PostgreSQL schema {Schema} is at version {Version}")]
    public static partial void SchemaReady(ILogger logger, string schema, int version);

    [LoggerMessage(EventId = 2003, EventName = "SchemaNotMigrated", Level = LogLevel.Warning,
        Message = "Automatic migration is off and schema {Schema} is at version {Found}, not {Expected}: apply PostgresSchema.GetMigrationScript()")]
    public static partial void SchemaNotMigrated(ILogger logger, string schema, int found, int expected);

    [LoggerMessage(EventId = 2004, EventName = "BatchWritten", Level = LogLevel.Trace,
        Message = "Wrote {Upserts} upserts, {Deletes} deletes, {Accesses} access updates to PostgreSQL in {ElapsedMs:F1} ms")]
    public static partial void BatchWritten(ILogger logger, int upserts, int deletes, int accesses, double elapsedMs);

    [LoggerMessage(EventId = 2005, EventName = "ListenerConnected", Level = LogLevel.Debug,
        Message = "Listening for AgentMemory change notifications on channel {Channel}")]
    public static partial void ListenerConnected(ILogger logger, string channel);

    [LoggerMessage(EventId = 2006, EventName = "ListenerLost", Level = LogLevel.Warning,
        Message = "The connection listening for AgentMemory change notifications on channel {Channel} was lost; reconnecting, and polling meanwhile")]
    public static partial void ListenerLost(ILogger logger, string channel, Exception exception);

    [LoggerMessage(EventId = 2007, EventName = "ListenerStopSlow", Level = LogLevel.Warning,
        Message = "The connection listening for AgentMemory change notifications on channel {Channel} did not stop within {Seconds} s of the store's disposal; it is left to end on its own")]
    public static partial void ListenerStopSlow(ILogger logger, string channel, double seconds);
}
