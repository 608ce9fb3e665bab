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
    /// <param name="element">The index of the value in a list field (named <c>field[element]</c> in the error), or -1.</param>
    public static void CheckCharacters(string value, string field, bool allowControl, int element = -1)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                throw Refused(field, element, $"must not contain NUL characters (U+0000) (at index {i}).");
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    i++;
                    continue;
                }

                throw Refused(field, element, $"must be valid UTF-16: a lone high surrogate at index {i} cannot be stored.");
            }

            if (char.IsLowSurrogate(c))
            {
                throw Refused(field, element, $"must be valid UTF-16: a lone low surrogate at index {i} cannot be stored.");
            }

            if (!allowControl && char.IsControl(c))
            {
                throw Refused(field, element, $"must not contain control characters (U+{(int)c:X4} at index {i}).");
            }
        }
    }

    /// <summary>
    /// Whether the text has at least one character a reader can see: not white space, not a control character, and
    /// not a format character (zero-width spaces and joiners, the byte order mark, direction marks).
    /// </summary>
    public static bool HasVisibleText(string value)
    {
        foreach (var c in value)
        {
            if (!char.IsWhiteSpace(c) && !char.IsControl(c) && char.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.Format)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The UTF-8 length of a string already checked by <see cref="CheckCharacters"/>.</summary>
    public static int Utf8Length(string value) => StrictUtf8.GetByteCount(value);

    /// <summary>The error for a refused value of <paramref name="field"/> (or of its element, <c>field[element]</c>).</summary>
    private static ArgumentException Refused(string field, int element, string rule)
    {
        var name = element >= 0 ? $"{field}[{element}]" : field;
        return new ArgumentException($"{name} {rule}", name);
    }
}
