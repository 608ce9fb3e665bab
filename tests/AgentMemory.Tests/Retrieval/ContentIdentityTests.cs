using AgentMemory.Retrieval;
using NUnit.Framework;

namespace AgentMemory.Tests.Retrieval;

/// <summary>When two contents are the same memory: case and runs of white space do not count, anything else does.</summary>
public sealed class ContentIdentityTests
{
    [TestCase("The build server is build-01", "  the BUILD\tserver  is\nbuild-01 ")]
    [TestCase("Ünïcödé ÄÖ", "ünïcödé   äö")]
    public void CaseAndWhiteSpaceDoNotCount(string first, string second)
    {
        Assert.That(ContentIdentity.Hash(first), Is.EqualTo(ContentIdentity.Hash(second)));
        Assert.That(ContentIdentity.Same(first, second), Is.True);
        Assert.That(ContentIdentity.Normalize(second), Is.EqualTo(ContentIdentity.Normalize(first)));
    }

    [TestCase("The build server is build-01", "The build server is build-02")]
    [TestCase("buildserver", "build server")]
    [TestCase("a", "")]
    public void OtherTextIsAnotherMemory(string first, string second)
    {
        Assert.That(ContentIdentity.Hash(first), Is.Not.EqualTo(ContentIdentity.Hash(second)));
        Assert.That(ContentIdentity.Same(first, second), Is.False);
    }

    [Test]
    public void LongContentIsComparedWhole()
    {
        // Past the stack buffer, and different only at the very end.
        var first = new string('x', 5_000) + " end";
        var second = new string('X', 5_000) + "  END";
        var third = new string('x', 5_000) + " ene";
        Assert.That(ContentIdentity.Same(first, second), Is.True);
        Assert.That(ContentIdentity.Hash(first), Is.EqualTo(ContentIdentity.Hash(second)));
        Assert.That(ContentIdentity.Same(first, third), Is.False);
        Assert.That(ContentIdentity.Hash(first), Is.Not.EqualTo(ContentIdentity.Hash(third)));
    }

    [Test]
    public void NormalizeReturnsTheContentItselfWhenItIsAlreadyInIdentityForm()
    {
        const string Content = "already lower case, single spaces";
        Assert.That(ContentIdentity.Normalize(Content), Is.SameAs(Content));
    }
}
