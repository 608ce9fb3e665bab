using System.Globalization;
using System.Text;

namespace AgentMemory;

/// <summary>The text that hands recalled memories to a model: the same for the turn helper, the chat middleware and the Agent Framework provider.</summary>
public static class MemoryPrompt
{
    /// <summary>The heading of the section.</summary>
    public const string Heading = "Relevant past experiences:";

    /// <summary>
    /// "Relevant past experiences:" and one line per memory, "- (type, yyyy-MM-dd) content", with line breaks in the
    /// content replaced by spaces; empty when nothing was recalled.
    /// </summary>
    /// <param name="recalled">The recalled memories, best first.</param>
    /// <returns>The section, ending with a line break, or the empty string.</returns>
    public static string Format(IReadOnlyList<RecalledMemory> recalled)
    {
        ArgumentNullException.ThrowIfNull(recalled);
        if (recalled.Count == 0)
        {
            return string.Empty;
        }

        var text = new StringBuilder(Heading).Append('\n');
        foreach (var item in recalled)
        {
            var line = item.Memory.Content.ReplaceLineEndings(" ");
            text.Append(CultureInfo.InvariantCulture, $"- ({item.Memory.Type.ToString().ToLowerInvariant()}, {item.Memory.CreatedAt:yyyy-MM-dd}) {line}\n");
        }

        return text.ToString();
    }

    /// <summary>
    /// How an exchange is remembered, by the chat middleware and the Agent Framework provider alike:
    /// "User: …" and "Assistant: …" on two lines, each trimmed.
    /// </summary>
    /// <param name="user">What the user asked.</param>
    /// <param name="assistant">What the assistant replied.</param>
    /// <returns>The memory's content.</returns>
    public static string FormatExchange(string user, string assistant)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(assistant);
        return $"User: {user.Trim()}\nAssistant: {assistant.Trim()}";
    }
}
