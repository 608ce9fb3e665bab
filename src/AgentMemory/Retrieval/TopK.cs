namespace AgentMemory.Retrieval;

/// <summary>
/// Bounded top-k selection: a min-heap of (score, slot) of at most k items, so a scan keeps only the k best
/// candidates and allocates nothing per candidate. Ties prefer the higher slot (the newer memory).
/// </summary>
internal sealed class TopK
{
    private readonly float[] _scores;
    private readonly int[] _slots;

    public TopK(int capacity)
    {
        _scores = new float[capacity];
        _slots = new int[capacity];
    }

    public int Count { get; private set; }

    public int Capacity => _scores.Length;

    /// <summary>The smallest score that would still enter (negative infinity while not full).</summary>
    public float Floor => Count < _scores.Length ? float.NegativeInfinity : _scores[0];

    public void Offer(int slot, float score)
    {
        if (Count < _scores.Length)
        {
            var i = Count++;
            _scores[i] = score;
            _slots[i] = slot;
            SiftUp(i);
            return;
        }

        if (!Better(score, slot, _scores[0], _slots[0]))
        {
            return;
        }

        _scores[0] = score;
        _slots[0] = slot;
        SiftDown(0);
    }

    public void Merge(TopK other)
    {
        for (var i = 0; i < other.Count; i++)
        {
            Offer(other._slots[i], other._scores[i]);
        }
    }

    /// <summary>The selected slots, best first.</summary>
    public (int Slot, float Score)[] ToSortedArray()
    {
        var result = new (int Slot, float Score)[Count];
        for (var i = 0; i < Count; i++)
        {
            result[i] = (_slots[i], _scores[i]);
        }

        Array.Sort(result, static (a, b) => Better(a.Score, a.Slot, b.Score, b.Slot) ? -1 : Better(b.Score, b.Slot, a.Score, a.Slot) ? 1 : 0);
        return result;
    }

    private static bool Better(float score, int slot, float otherScore, int otherSlot) =>
        score > otherScore || (score == otherScore && slot > otherSlot);

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (!Better(_scores[parent], _slots[parent], _scores[i], _slots[i]))
            {
                break;
            }

            Swap(i, parent);
            i = parent;
        }
    }

    private void SiftDown(int i)
    {
        while (true)
        {
            var left = (2 * i) + 1;
            if (left >= Count)
            {
                return;
            }

            var smallest = left;
            var right = left + 1;
            if (right < Count && Better(_scores[left], _slots[left], _scores[right], _slots[right]))
            {
                smallest = right;
            }

            if (!Better(_scores[i], _slots[i], _scores[smallest], _slots[smallest]))
            {
                return;
            }

            Swap(i, smallest);
            i = smallest;
        }
    }

    private void Swap(int a, int b)
    {
        (_scores[a], _scores[b]) = (_scores[b], _scores[a]);
        (_slots[a], _slots[b]) = (_slots[b], _slots[a]);
    }
}
