using System.Text.Json;

namespace AgentMemory.Validation;

/// <summary>
/// Validation at the door: everything a store could refuse is refused here, synchronously, with an
/// <see cref="ArgumentException"/> that names the field and the rule. The background writer never sees a row the
/// store would refuse.
/// </summary>
internal sealed class MemoryValidator(AgentMemoryOptions options)
{
    /// <summary>The longest agent id.</summary>
    public const int MaxAgentIdLength = 200;

    /// <summary>The most tags a memory may have.</summary>
    public const int MaxTags = 64;

    /// <summary>The longest tag.</summary>
    public const int MaxTagLength = 100;

    /// <summary>The most results a recall may ask for.</summary>
    public const int MaxRecallResults = RecallRequest.MaxResultsLimit;

    /// <summary>The largest page a listing may ask for.</summary>
    public const int MaxPageSize = 10_000;

    public static void AgentId(string? agentId)
    {
        if (agentId is null)
        {
            throw new ArgumentNullException(nameof(agentId), "agentId must not be null.");
        }

        if (string.IsNullOrWhiteSpace(agentId))
        {
            throw new ArgumentException("agentId must not be empty or white space.", nameof(agentId));
        }

        if (agentId.Length > MaxAgentIdLength)
        {
            throw new ArgumentException($"agentId must be at most {MaxAgentIdLength} characters; it has {agentId.Length}.", nameof(agentId));
        }

        TextRules.CheckCharacters(agentId, nameof(agentId), allowControl: false);
    }

    public static void MemoryId(Guid id, string field = "memoryId")
    {
        if (id == Guid.Empty)
        {
            throw new ArgumentException($"{field} must not be the empty GUID.", field);
        }
    }

    public string Content(string? content, string field = "content")
    {
        if (content is null)
        {
            throw new ArgumentNullException(field, $"{field} must not be null.");
        }

        if (string.IsNullOrWhiteSpace(content))
        {
            throw new ArgumentException($"{field} must not be empty or white space.", field);
        }

        TextRules.CheckCharacters(content, field, allowControl: true);
        if (!TextRules.HasVisibleText(content))
        {
            throw new ArgumentException($"{field} must contain visible text, not only invisible, formatting or control characters.", field);
        }
        var bytes = TextRules.Utf8Length(content);
        if (bytes > options.MaxContentBytes)
        {
            throw new ArgumentException($"{field} must be at most {options.MaxContentBytes} bytes (UTF-8); it has {bytes}.", field);
        }

        return content;
    }

    public static IReadOnlyList<string> Tags(IEnumerable<string>? tags, string field = "tags")
    {
        if (tags is null)
        {
            return [];
        }

        // Arrays and lists (what callers pass) are read by index into an array of their size: no enumerator, no list,
        // and the memory keeps that exact array unless a tag repeats.
        if (tags is IReadOnlyList<string> list)
        {
            var result = new string[Math.Min(list.Count, MaxTags)];
            var count = 0;
            for (var i = 0; i < list.Count; i++)
            {
                count = AddTag(result, count, list[i], i, field);
            }

            return count == 0 ? [] : count == result.Length ? result : result[..count];
        }

        // Any other sequence is read once, and no further than the first tag too many.
        var distinct = new string[MaxTags];
        var found = 0;
        var position = 0;
        foreach (var tag in tags)
        {
            found = AddTag(distinct, found, tag, position++, field);
        }

        return found == 0 ? [] : distinct[..found];
    }

    /// <summary>Checks one tag and adds its folded form unless it is there already; returns the new count.</summary>
    private static int AddTag(string[] result, int count, string? tag, int index, string field)
    {
        if (tag is null)
        {
            throw new ArgumentException($"{field}[{index}] must not be null.", field);
        }

        var folded = tag.Trim().ToLowerInvariant();
        if (folded.Length is 0 or > MaxTagLength)
        {
            throw new ArgumentException($"{field}[{index}] must be 1 to {MaxTagLength} characters after trimming; it has {folded.Length}.", field);
        }

        TextRules.CheckCharacters(folded, field, allowControl: false, index);
        if (result.AsSpan(0, count).Contains(folded))
        {
            return count;
        }

        if (count == MaxTags)
        {
            throw new ArgumentException($"{field} must hold at most {MaxTags} distinct tags.", field);
        }

        result[count] = folded;
        return count + 1;
    }

    public static double Valence(double valence, string field = "valence")
    {
        if (!double.IsFinite(valence) || valence < -1.0 || valence > 1.0)
        {
            throw new ArgumentOutOfRangeException(field, valence, $"{field} must be a finite number from -1 to 1.");
        }

        return valence;
    }

    public static T Enum<T>(T value, string field)
        where T : struct, System.Enum
    {
        if (!System.Enum.IsDefined(value))
        {
            throw new ArgumentOutOfRangeException(field, value, $"{field} has an unknown value; expected one of {string.Join(", ", System.Enum.GetNames<T>())}.");
        }

        return value;
    }

    public JsonElement Metadata(JsonElement? metadata) => MetadataRules.Normalize(metadata, options.MaxMetadataBytes, "metadata");

    public static double Reward(double reward)
    {
        if (!double.IsFinite(reward) || reward < -1.0 || reward > 1.0)
        {
            throw new ArgumentOutOfRangeException(nameof(reward), reward, "reward must be a finite number from -1 to 1.");
        }

        return reward;
    }

    public static void Filter(MemoryFilter? filter)
    {
        if (filter is null)
        {
            return;
        }

        if (filter.Types is not null)
        {
            foreach (var type in filter.Types)
            {
                Enum(type, "filter.Types");
            }
        }

        if (filter.MinImportance is { } importance)
        {
            Enum(importance, "filter.MinImportance");
        }

        if (filter.Tags is not null)
        {
            foreach (var tag in filter.Tags)
            {
                if (string.IsNullOrWhiteSpace(tag))
                {
                    throw new ArgumentException("filter.Tags must not contain null or empty tags.", "filter");
                }
            }
        }

        if (filter.CreatedAfter is { } after && filter.CreatedBefore is { } before && after > before)
        {
            throw new ArgumentException("filter.CreatedAfter must not be later than filter.CreatedBefore.", "filter");
        }
    }

    public static void Query(MemoryQuery query)
    {
        Filter(query);
        if (query.Offset < 0)
        {
            throw new ArgumentOutOfRangeException("query.Offset", query.Offset, "query.Offset must not be negative.");
        }

        if (query.Limit is < 1 or > MaxPageSize)
        {
            throw new ArgumentOutOfRangeException("query.Limit", query.Limit, $"query.Limit must be from 1 to {MaxPageSize}.");
        }
    }

    public void Recall(RecallRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Content(request.Task, "task");
        if (request.Context is not null)
        {
            TextRules.CheckCharacters(request.Context, "context", allowControl: true);
        }

        if (request.MaxResults is < 1 or > MaxRecallResults)
        {
            throw new ArgumentOutOfRangeException("maxResults", request.MaxResults, $"maxResults must be from 1 to {MaxRecallResults}.");
        }

        if (request.Threshold is { } threshold && (!double.IsFinite(threshold) || threshold < 0 || threshold > 1))
        {
            throw new ArgumentOutOfRangeException("threshold", threshold, "threshold must be a finite number from 0 to 1.");
        }

        if (request.Weights is { } weights)
        {
            Weight(weights.Relevance, "weights.Relevance");
            Weight(weights.Recency, "weights.Recency");
            Weight(weights.Importance, "weights.Importance");
            Weight(weights.Utility, "weights.Utility");
            if (weights.Total <= 0)
            {
                throw new ArgumentException("weights must not all be zero.", "weights");
            }
        }

        Filter(request.Filter);
    }

    /// <summary>The largest weight of a score component, as in <see cref="RecallWeights"/>' option ranges.</summary>
    public const double MaxWeight = 100;

    private static void Weight(double value, string field)
    {
        if (!double.IsFinite(value) || value < 0 || value > MaxWeight)
        {
            throw new ArgumentOutOfRangeException(field, value, $"{field} must be a finite number not below 0 and at most {MaxWeight}.");
        }
    }
}
