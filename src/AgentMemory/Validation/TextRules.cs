using System.Text;

namespace AgentMemory.Validation;

/// <summary>Character-level checks shared by every string the API accepts.</summary>
internal static class TextRules
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Throws when <paramref name="value"/> holds a character PostgreSQL text or UTF-8 cannot keep.</summary>
    /// <param name="value">The text.</param>
    /// <param name="field">The field name for the message.</param>
    /// <param name="allowControl">Whether control characters other than NUL (tabs, new lines) are allowed.</param>
    public static void CheckCharacters(string value, string field, bool allowControl)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                throw new ArgumentException($"{field} must not contain NUL characters (U+0000) (at index {i}).", field);
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    i++;
                    continue;
                }

                throw new ArgumentException($"{field} must be valid UTF-16: a lone high surrogate at index {i} cannot be stored.", field);
            }

            if (char.IsLowSurrogate(c))
            {
                throw new ArgumentException($"{field} must be valid UTF-16: a lone low surrogate at index {i} cannot be stored.", field);
            }

            if (!allowControl && char.IsControl(c))
            {
                throw new ArgumentException($"{field} must not contain control characters (U+{(int)c:X4} at index {i}).", field);
            }
        }
    }

    /// <summary>The UTF-8 length of a string already checked by <see cref="CheckCharacters"/>.</summary>
    public static int Utf8Length(string value) => StrictUtf8.GetByteCount(value);

    /// <summary>Lower-cases and collapses white space, the form under which two contents count as the same memory.</summary>
    public static string NormalizeForIdentity(string content)
    {
        var builder = new StringBuilder(content.Length);
        var pendingSpace = false;
        foreach (var c in content)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }
}
