namespace AgentMemory.Persistence;

/// <summary>
/// Counts one cached agent's work not yet saved: change records queued or being written, embeddings being computed,
/// access statistics waiting for queue room. The agent cache never evicts an agent whose pin is held, so nothing
/// unsaved is dropped with it and no stale copy is loaded meanwhile. Records carry the pin of the agent they came from;
/// the queue holds it as a record is queued and the writer releases it as the record is done with.
/// </summary>
internal sealed class WritePin
{
    private int _held;

    /// <summary>Whether some work of the agent is not saved yet.</summary>
    public bool IsHeld => Volatile.Read(ref _held) > 0;

    public void Hold(int count = 1) => Interlocked.Add(ref _held, count);

    public void Release(int count = 1) => Interlocked.Add(ref _held, -count);
}
