namespace AgentMemory.Retrieval;

/// <summary>
/// Light English stemming: plural and -ing/-ed endings and a final e, so that "painting", "paints" and
/// "painted" meet at "paint" and "loves", "loved" and "loving" at "lov". Deliberately conservative: it never
/// shortens a word below three letters.
/// </summary>
internal static class Stemmer
{
    public static string Stem(string word)
    {
        if (word.Length <= 3 || !char.IsAsciiLetter(word[^1]))
        {
            return word;
        }

        var w = word.AsSpan();

        // Plurals (the "S-stemmer").
        if (w.EndsWith("ies") && w.Length > 4 && !w.EndsWith("eies") && !w.EndsWith("aies"))
        {
            return string.Concat(w[..^3], "y");
        }

        if (w.EndsWith("sses") || w.EndsWith("shes") || w.EndsWith("ches") || w.EndsWith("xes"))
        {
            w = w[..^2];
        }
        else if (w.EndsWith("s") && !w.EndsWith("ss") && !w.EndsWith("us") && !w.EndsWith("is") && w.Length > 3)
        {
            w = w[..^1];
        }

        // Verb endings.
        var stripped = false;
        if (w.EndsWith("ing") && w.Length - 3 >= 3 && HasVowel(w[..^3]))
        {
            w = w[..^3];
            stripped = true;
        }
        else if (w.EndsWith("ed") && w.Length - 2 >= 3 && HasVowel(w[..^2]))
        {
            w = w[..^2];
            stripped = true;
        }

        if (stripped && w.Length >= 3 && w[^1] == w[^2] && IsConsonant(w[^1]) && w[^1] is not ('l' or 's' or 'z'))
        {
            w = w[..^1];
        }

        if (w.Length > 3 && w[^1] == 'e')
        {
            w = w[..^1];
        }

        return w.Length == word.Length ? word : w.ToString();
    }

    private static bool HasVowel(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (c is 'a' or 'e' or 'i' or 'o' or 'u' or 'y')
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsConsonant(char c) => char.IsAsciiLetter(c) && c is not ('a' or 'e' or 'i' or 'o' or 'u');
}
