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

    /// <summary>Takes the write lock only if no one holds or waits for the lock now; the scope releases it.</summary>
    public bool TryEnterWrite(out WriteScope scope)
    {
        scope = default;
        if (!_admission.TryEnter())
        {
            return false;
        }

        try
        {
            if (!_lock.TryEnterWriteLock(0))
            {
                return false;
            }
        }
        finally
        {
            _admission.Exit();
        }

        scope = new WriteScope(_lock);
        return true;
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
