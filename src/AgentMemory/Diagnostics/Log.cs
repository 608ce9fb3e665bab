using Microsoft.Extensions.Logging;

namespace AgentMemory.Diagnostics;

/// <summary>
/// Every log message of the library. Memory content and metadata are logged only at Trace: they may hold personal
/// data. Ids, counts and reasons are logged at the levels below.
/// </summary>
internal static partial class Log
{
    public static class Events
    {
        public const int UsingInMemoryStore = 1;
        public const int StoreInitialized = 2;
        public const int StoreInitializationFailed = 3;
        public const int AgentLoaded = 10;
        public const int AgentLoadFailed = 11;
        public const int AgentEvicted = 12;
        public const int AgentLoadRetry = 13;
        public const int StoreUnavailable = 20;
        public const int StoreRecovered = 21;
        public const int BatchRetry = 22;
        public const int ChangeRejected = 23;
        public const int BatchWritten = 24;
        public const int DrainIncomplete = 25;
        public const int Drained = 26;
        public const int LoopFailed = 27;
        public const int HeldForEmbeddings = 28;
        public const int EmbeddingFailed = 30;
        public const int QueryEmbeddingFailed = 31;
        public const int Remembered = 40;
        public const int PreloadFailed = 41;
        public const int Consolidated = 50;
        public const int ConsolidationFailed = 51;
        public const int ConsolidationBusy = 52;
        public const int GeneralizationFailed = 53;
        public const int GeneralizationRejected = 54;
        public const int ConsolidationPass = 55;
        public const int AgentReloading = 60;
        public const int ChangeFeedReloadAll = 61;
        public const int ChangesApplied = 62;
        public const int TombstonesPruned = 63;
    }

    [LoggerMessage(Events.UsingInMemoryStore, LogLevel.Information, "AgentMemory is using the in-memory store: memories are lost when the process ends. Call UsePostgres(...) on AddAgentMemory() to persist them.", EventName = "UsingInMemoryStore")]
    public static partial void UsingInMemoryStore(ILogger logger);

    [LoggerMessage(Events.StoreInitialized, LogLevel.Debug, "Memory store {Store} initialized.", EventName = "StoreInitialized")]
    public static partial void StoreInitialized(ILogger logger, string store);

    [LoggerMessage(Events.StoreInitializationFailed, LogLevel.Error, "Memory store {Store} could not be initialized; it will be tried again on next use.", EventName = "StoreInitializationFailed")]
    public static partial void StoreInitializationFailed(ILogger logger, string store, Exception exception);

    [LoggerMessage(Events.AgentLoaded, LogLevel.Debug, "Loaded {Count} memories for agent '{AgentId}' in {ElapsedMs:F1} ms.", EventName = "AgentLoaded")]
    public static partial void AgentLoaded(ILogger logger, string agentId, int count, double elapsedMs);

    [LoggerMessage(Events.AgentLoadFailed, LogLevel.Error, "Loading the memories of agent '{AgentId}' failed; the next call will try again.", EventName = "AgentLoadFailed")]
    public static partial void AgentLoadFailed(ILogger logger, string agentId, Exception exception);

    [LoggerMessage(Events.AgentLoadRetry, LogLevel.Warning, "Loading the memories of agent '{AgentId}' failed (attempt {Attempt}); trying again in {DelayMs:F0} ms.", EventName = "AgentLoadRetry")]
    public static partial void AgentLoadRetry(ILogger logger, string agentId, int attempt, double delayMs, Exception exception);

    [LoggerMessage(Events.AgentEvicted, LogLevel.Debug, "Evicted idle agent '{AgentId}' from the cache.", EventName = "AgentEvicted")]
    public static partial void AgentEvicted(ILogger logger, string agentId);

    [LoggerMessage(Events.StoreUnavailable, LogLevel.Warning, "The memory store is unavailable; {Changes} changes are kept and retried with back-off (the store said: {Reason}).", EventName = "StoreUnavailable")]
    public static partial void StoreUnavailable(ILogger logger, int changes, string reason, Exception exception);

    [LoggerMessage(Events.StoreRecovered, LogLevel.Information, "The memory store is available again after {Attempts} failed attempts over {DownSeconds:F1} s; writing resumed.", EventName = "StoreRecovered")]
    public static partial void StoreRecovered(ILogger logger, int attempts, double downSeconds);

    [LoggerMessage(Events.BatchRetry, LogLevel.Debug, "Write attempt {Attempt} failed; retrying in {DelayMs:F0} ms.", EventName = "BatchRetry")]
    public static partial void BatchRetry(ILogger logger, int attempt, double delayMs);

    [LoggerMessage(Events.ChangeRejected, LogLevel.Error, "The memory store refused {Change}; it was isolated and dropped so the rest of the batch could be written. Reason: {Reason}", EventName = "ChangeRejected")]
    public static partial void ChangeRejected(ILogger logger, string change, string reason, Exception exception);

    [LoggerMessage(Events.BatchWritten, LogLevel.Trace, "Wrote a batch of {Changes} changes in {ElapsedMs:F1} ms.", EventName = "BatchWritten")]
    public static partial void BatchWritten(ILogger logger, int changes, double elapsedMs);

    [LoggerMessage(Events.HeldForEmbeddings, LogLevel.Debug, "{Memories} new memories wait for their embeddings (at most a batch interval) so that each is written once, with it.", EventName = "HeldForEmbeddings")]
    public static partial void HeldForEmbeddings(ILogger logger, int memories);

    [LoggerMessage(Events.DrainIncomplete, LogLevel.Error, "Shutdown ended before the background writer could save {Count} queued changes; they are lost. Memory ids: {MemoryIds}", EventName = "DrainIncomplete")]
    public static partial void DrainIncomplete(ILogger logger, long count, string memoryIds);

    [LoggerMessage(Events.Drained, LogLevel.Debug, "The background writer drained its queue.", EventName = "Drained")]
    public static partial void Drained(ILogger logger);

    [LoggerMessage(Events.LoopFailed, LogLevel.Critical, "The background {Loop} failed unexpectedly (failure {Failures} in a row); it restarts in {DelayMs:F0} ms and keeps what was queued.", EventName = "LoopFailed")]
    public static partial void LoopFailed(ILogger logger, string loop, int failures, double delayMs, Exception exception);

    [LoggerMessage(Events.EmbeddingFailed, LogLevel.Warning, "Embedding {Count} memories failed; they stay recallable by words and will be embedded on a later attempt.", EventName = "EmbeddingFailed")]
    public static partial void EmbeddingFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(Events.QueryEmbeddingFailed, LogLevel.Warning, "Embedding a recall query failed; this recall uses lexical relevance only.", EventName = "QueryEmbeddingFailed")]
    public static partial void QueryEmbeddingFailed(ILogger logger, Exception exception);

    [LoggerMessage(Events.Remembered, LogLevel.Trace, "Agent '{AgentId}' remembered {MemoryId}: {Content}", EventName = "Remembered")]
    public static partial void Remembered(ILogger logger, string agentId, Guid memoryId, string content);

    [LoggerMessage(Events.PreloadFailed, LogLevel.Error, "Preloading agent '{AgentId}' failed; it will be loaded on first use.", EventName = "PreloadFailed")]
    public static partial void PreloadFailed(ILogger logger, string agentId, Exception exception);

    [LoggerMessage(Events.Consolidated, LogLevel.Information, "Consolidated agent '{AgentId}' in {DurationMs:F0} ms: {WorkingPromoted} working memories promoted, {WorkingDropped} dropped, {Merged} merged, {Promoted} promoted to semantic, {Forgotten} forgotten, {Expired} expired, {Skipped} skipped as changed meanwhile, {Kept} kept.", EventName = "Consolidated")]
    public static partial void Consolidated(ILogger logger, string agentId, double durationMs, int workingPromoted, int workingDropped, int merged, int promoted, int forgotten, int expired, int skipped, int kept);

    [LoggerMessage(Events.ConsolidationFailed, LogLevel.Error, "Consolidating agent '{AgentId}' failed; the next run tries again.", EventName = "ConsolidationFailed")]
    public static partial void ConsolidationFailed(ILogger logger, string agentId, Exception exception);

    [LoggerMessage(Events.ConsolidationBusy, LogLevel.Debug, "Agent '{AgentId}' is being consolidated by another run; skipped.", EventName = "ConsolidationBusy")]
    public static partial void ConsolidationBusy(ILogger logger, string agentId);

    [LoggerMessage(Events.GeneralizationFailed, LogLevel.Warning, "The chat client failed to generalize a cluster of memories; the extractive text is used.", EventName = "GeneralizationFailed")]
    public static partial void GeneralizationFailed(ILogger logger, Exception exception);

    [LoggerMessage(Events.GeneralizationRejected, LogLevel.Warning, "The chat client's generalization was rejected ({Reason}); the extractive text is used.", EventName = "GeneralizationRejected")]
    public static partial void GeneralizationRejected(ILogger logger, string reason);

    [LoggerMessage(Events.ConsolidationPass, LogLevel.Information, "Consolidation pass over {Agents} agents finished in {DurationMs:F0} ms ({Failed} failed, {Busy} busy elsewhere).", EventName = "ConsolidationPass")]
    public static partial void ConsolidationPass(ILogger logger, int agents, double durationMs, int failed, int busy);

    [LoggerMessage(Events.AgentReloading, LogLevel.Information, "Agent '{AgentId}' is reloaded from the store on its next use: another host erased it, or this host fell too far behind.", EventName = "AgentReloading")]
    public static partial void AgentReloading(ILogger logger, string agentId);

    [LoggerMessage(Events.ChangeFeedReloadAll, LogLevel.Warning, "The change feed cannot catch up from position {Position} (too many changes, or deletions older than the tombstone retention): every held agent is reloaded.", EventName = "ChangeFeedReloadAll")]
    public static partial void ChangeFeedReloadAll(ILogger logger, long position);

    [LoggerMessage(Events.ChangesApplied, LogLevel.Debug, "Applied other hosts' changes: {Memories} memories, {Accesses} access totals, {Deletes} deletions, {Erased} agents erased, {Waiting} to fetch again (waiting for this host's writes, or accesses read before their memory).", EventName = "ChangesApplied")]
    public static partial void ChangesApplied(ILogger logger, int memories, int accesses, int deletes, int erased, int waiting);

    [LoggerMessage(Events.TombstonesPruned, LogLevel.Debug, "Forgot {Count} tombstones older than {Before:O}.", EventName = "TombstonesPruned")]
    public static partial void TombstonesPruned(ILogger logger, int count, DateTimeOffset before);
}
