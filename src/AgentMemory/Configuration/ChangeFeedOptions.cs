namespace AgentMemory;

/// <summary>
/// Options of the change feed, through which a host sees what other hosts sharing its store changed (several replicas
/// of an app serving the same agents from one database).
/// </summary>
public sealed class ChangeFeedOptions
{
    /// <summary>
    /// Whether this host follows other hosts' changes; <see langword="true"/> by default. Turn it off only when no other
    /// host ever writes to the store: then nothing is read beyond loading agents.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How often the feed is read when no notification came; 1 second by default. Notifications (PostgreSQL
    /// <c>LISTEN/NOTIFY</c>) wake the feed at once; this poll catches up what a notification lost while its connection
    /// was down, so it bounds how stale a host can be then.
    /// </summary>
    // Checked by AgentMemoryOptionsTimeValidator: 00:00:00.010 to 01:00:00.
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long deletions are remembered so that no host writes a deleted memory back; 7 days by default. A host that
    /// was cut off from the store longer than this reloads its agents when it returns.
    /// </summary>
    // Checked by AgentMemoryOptionsTimeValidator: 00:01:00 to 3650 days.
    public TimeSpan TombstoneRetention { get; set; } = TimeSpan.FromDays(7);
}
