// Element-wise closeness assertion for large arrays that formats a message only when an element fails.
namespace Mtl.Tests.Ops;

internal static class ArrayAssert
{
    /// <summary>|expected − actual| ≤ tol·max(1, |expected|) for every element (same length).</summary>
    public static void Close(double[] expected, double[] actual, double tol)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(expected[i] - actual[i]) <= tol * Math.Max(1, Math.Abs(expected[i]))))
                Assert.Fail($"element {i}: expected {expected[i]:G10}, got {actual[i]:G10} (tolerance {tol:G3})");
    }
}
