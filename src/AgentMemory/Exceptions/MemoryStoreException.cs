namespace AgentMemory;

/// <summary>
/// A store failure, classified for the background writer: a transient failure (the database is unreachable) is
/// retried with back-off and nothing is dropped; a non-transient one (the store refused the data) makes the writer
/// isolate the offending change and carry on with the rest. Stores should throw this type; any other exception is
/// treated as transient.
/// </summary>
public sealed class MemoryStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="isTransient">Whether trying again later may succeed.</param>
    /// <param name="innerException">The store's own exception.</param>
    public MemoryStoreException(string message, bool isTransient, Exception? innerException = null)
        : base(message, innerException)
    {
        IsTransient = isTransient;
    }

    /// <summary>Whether trying again later may succeed (the store is down) rather than the data being refused.</summary>
    public bool IsTransient { get; }
}
