namespace AgentMemory;

/// <summary>One page of a listing.</summary>
/// <param name="Items">The memories on this page, oldest first.</param>
/// <param name="TotalCount">How many memories match the filter in all.</param>
public sealed record MemoryPage(IReadOnlyList<MemoryEntry> Items, int TotalCount);
