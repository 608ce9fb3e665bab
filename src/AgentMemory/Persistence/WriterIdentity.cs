namespace AgentMemory.Persistence;

/// <summary>
/// This memory system's id as a writer (<see cref="Storage.MemoryChangeSet.Writer"/>): new for every process and
/// service provider, so each host's rows and change sets are told apart from every other host's.
/// </summary>
internal sealed class WriterIdentity
{
    public Guid Id { get; } = Guid.CreateVersion7();
}
