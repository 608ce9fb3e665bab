namespace AgentMemory.Retrieval;

/// <summary>A small English stopword list: function words that carry no topic.</summary>
internal static class Stopwords
{
    private static readonly HashSet<string> Words = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "been", "being", "but", "by", "can", "could", "did", "do", "does",
        "doing", "for", "from", "had", "has", "have", "having", "he", "her", "hers", "him", "his", "how", "i", "if",
        "in", "into", "is", "it", "its", "itself", "me", "my", "of", "on", "or", "our", "ours", "she", "should", "so",
        "than", "that", "the", "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "to",
        "too", "us", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why",
        "will", "with", "would", "you", "your", "yours", "am", "about", "just", "also", "any", "all", "some", "such",
        "s", "t", "d", "ll", "m", "re", "ve", "yes", "no", "not", "oh", "ok", "okay", "yeah",
    };

    public static bool Contains(string word) => Words.Contains(word);
}
