using System.Collections.Concurrent;
using AgentMemory.Storage;

namespace AgentMemory.Sqlite.Storage;

/// <summary>
/// The hosts of this process waiting for changes to each file: a commit wakes the others at once, with no poll.
/// (Other processes are seen by polling the file.)
/// </summary>
internal static class FileSignals
{
    private static readonly ConcurrentDictionary<string, ChangeWaiters> Files = new(StringComparer.Ordinal);

    public static ChangeWaiters For(string path) => Files.GetOrAdd(path, static _ => new ChangeWaiters());
}
