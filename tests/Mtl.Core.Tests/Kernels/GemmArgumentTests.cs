// Bad GEMM arguments (negative sizes, short leading dimensions, short spans) raise ArgumentExceptions naming them.
using Mtl.Kernels;

namespace Mtl.Tests.Kernels;

public class GemmArgumentTests
{
    private static ArgumentException Throws(Action call, string param)
    {
        var e = Assert.ThrowsAny<ArgumentException>(call);
        Assert.Equal(param, e.ParamName);
        Assert.Contains(param, e.Message);
        return e;
    }

    [Fact]
    public void Negative_sizes_are_rejected()
    {
        var buf = new float[16];
        Throws(() => Gemm.Sgemm(false, false, -1, 2, 2, 1f, buf, 2, buf, 2, 0f, buf, 2), "m");
        Throws(() => Gemm.Sgemm(false, false, 2, -1, 2, 1f, buf, 2, buf, 2, 0f, buf, 2), "n");
        Throws(() => Gemm.Sgemm(false, false, 2, 2, -3, 1f, buf, 2, buf, 2, 0f, buf, 2), "k");
    }

    [Fact]
    public void Leading_dimensions_shorter_than_a_stored_row_are_rejected()
    {
        var buf = new float[64];
        var e = Throws(() => Gemm.Sgemm(false, false, 4, 3, 5, 1f, buf, 4, buf, 3, 0f, buf, 3), "lda");
        Assert.Contains("k=5", e.Message);
        Throws(() => Gemm.Sgemm(true, false, 4, 3, 5, 1f, buf, 3, buf, 3, 0f, buf, 3), "lda"); // stored k×m: needs 4
        Throws(() => Gemm.Sgemm(false, false, 4, 3, 5, 1f, buf, 5, buf, 2, 0f, buf, 3), "ldb");
        Throws(() => Gemm.Sgemm(false, true, 4, 3, 5, 1f, buf, 5, buf, 4, 0f, buf, 3), "ldb"); // stored n×k: needs 5
        Throws(() => Gemm.Sgemm(false, false, 4, 3, 5, 1f, buf, 5, buf, 3, 0f, buf, 2), "ldc");
    }

    [Fact]
    public void Spans_too_short_for_the_shapes_are_rejected()
    {
        var ok = new float[64];
        var e = Throws(() => Gemm.Sgemm(false, false, 4, 3, 5, 1f, new float[19], 5, ok, 3, 0f, ok, 3), "a");
        Assert.Contains("m=4", e.Message);
        Throws(() => Gemm.Sgemm(false, false, 4, 3, 5, 1f, ok, 5, new float[14], 3, 0f, ok, 3), "b");
        Throws(() => Gemm.Sgemm(false, false, 4, 3, 5, 1f, ok, 5, ok, 3, 0f, new float[11], 3), "c");
        // the last row needs only its own length, not a full leading dimension
        Gemm.Sgemm(false, false, 4, 3, 5, 1f, new float[3 * 8 + 5], 8, ok, 3, 0f, ok, 3);
    }

    [Fact]
    public void Double_and_reference_entry_points_validate_too()
    {
        var d = new double[8];
        Throws(() => Gemm.Dgemm(false, false, 2, 2, 2, 1d, d, 1, d, 2, 0d, d, 2), "lda");
        Throws(() => Gemm.Dgemm(false, false, 2, 2, 2, 1d, d, 2, d, 2, 0d, new double[3], 2), "c");
        Throws(() => GemmReference.Gemm(false, false, 2, 2, -2, 1d, d, 2, d, 2, 0d, d, 2), "k");
    }
}
