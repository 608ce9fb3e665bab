using System.Text.RegularExpressions;

namespace AgentMemory.Consolidation;

/// <summary>
/// What makes two similar sentences different facts: a negation ("is allergic" / "is not allergic"), a number ("order
/// 1234" / "order 1235"), a date or day ("on Monday" / "on Tuesday"), or a name (a capitalized word inside a
/// sentence, "ACME" / "Globex"). Embeddings hardly tell such sentences apart (the built-in one drops "not" as a stop
/// word), so consolidation merges two memories as duplicates only when their signatures are equal.
/// </summary>
internal static partial class FactSignature
{
    private static readonly HashSet<string> Negations = new(StringComparer.OrdinalIgnoreCase)
    {
        "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "cannot", "without", "nowhere",
    };

    private static readonly HashSet<string> Calendar = new(StringComparer.OrdinalIgnoreCase)
    {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today", "tomorrow", "yesterday",
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
    };

    /// <summary>The signature: how many negations, then the numbers, dates and names in order of first appearance, sorted.</summary>
    public static string Of(string text)
    {
        var negations = 0;
        var marks = new SortedSet<string>(StringComparer.Ordinal);
        var sentenceStart = true;
        foreach (Match match in Token().Matches(text))
        {
            var token = match.Value;
            if (token is "." or "!" or "?")
            {
                sentenceStart = true;
                continue;
            }

            if (Negations.Contains(token) || token.EndsWith("n't", StringComparison.OrdinalIgnoreCase) || token.EndsWith("n’t", StringComparison.OrdinalIgnoreCase))
            {
                negations++;
            }
            else if (token.Any(char.IsDigit))
            {
                marks.Add("#" + token.ToLowerInvariant());
            }
            else if (Calendar.Contains(token))
            {
                marks.Add("@" + token.ToLowerInvariant());
            }
            else if (!sentenceStart && char.IsUpper(token[0]))
            {
                marks.Add("$" + token.ToLowerInvariant());
            }

            sentenceStart = false;
        }

        return $"{negations}|{string.Join(' ', marks)}";
    }

    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}'’\-]*|[.!?]")]
    private static partial Regex Token();
}
