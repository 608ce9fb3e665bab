namespace AgentMemory.Agents;

/// <summary>
/// One agent's reader-writer lock. Readers and writers first pass the same admission gate, so a steady stream of
/// writers cannot starve recall (the reader-writer lock alone always lets a waiting writer go first).
/// </summary>
internal sealed class AgentLock
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Lock _admission = new();

    public bool IsWriteLockHeld => _lock.IsWriteLockHeld;

    public ReadScope EnterRead()
    {
        lock (_admission)
        {
            _lock.EnterReadLock();
        }

        return new ReadScope(_lock);
    }

    public WriteScope EnterWrite()
    {
        lock (_admission)
        {
            _lock.EnterWriteLock();
        }

        return new WriteScope(_lock);
    }

    public readonly ref struct ReadScope(ReaderWriterLockSlim gate)
    {
        public void Dispose() => gate.ExitReadLock();
    }

    public readonly ref struct WriteScope(ReaderWriterLockSlim gate)
    {
        public void Dispose() => gate.ExitWriteLock();
    }
}
