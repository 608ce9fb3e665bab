using AgentMemory.Retrieval;
using NUnit.Framework;

namespace AgentMemory.Tests.Retrieval;

public sealed class TokenizerTests
{
    [Test]
    public void ShortNumbersAndWordsShareOneStringButLongNumbersAndCodesDoNot()
    {
        // Words and short numbers repeat across memories: each gets one string for all of them. Ids and codes rarely
        // repeat, and keeping them would fill the cache with words seen once.
        static (string? First, string? Second) Twice(string word) => (Tokenizer.Term(word.AsSpan()), Tokenizer.Term(word.AsSpan()));
        Assert.Multiple(() =>
        {
            foreach (var word in new[] { "deployment", "42", "2026" })
            {
                var (first, second) = Twice(word);
                Assert.That(first, Is.SameAs(second), word);
            }

            foreach (var word in new[] { "48213", "a1b2" })
            {
                var (first, second) = Twice(word);
                Assert.That(first, Is.EqualTo(word).And.Not.SameAs(second), word);
            }
        });
    }
}
