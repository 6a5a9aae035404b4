// Renders a tensor as text: dtype, shape and (for small tensors) its values in nested brackets.
using System.Globalization;
using System.Text;

namespace Mtl;

/// <summary>Human-readable rendering of tensors for debugging and error messages.</summary>
internal static class TensorFormatter
{
    private const int MaxElements = 64;

    public static string Format(Tensor t)
    {
        var sb = new StringBuilder();
        sb.Append("Tensor(").Append(t.DType).Append(", ").Append(t.ShapeString);
        if (t.GradFn is not null) sb.Append(", grad_fn=").Append(t.GradFn.OpName);
        else if (t.RequiresGrad) sb.Append(", requires_grad");
        if (t.Storage.IsReleased) return sb.Append(", released)").ToString();
        if (t.Numel > MaxElements) return sb.Append(')').ToString();
        sb.Append(", ");
        var values = t.ToDoubleArray();
        int pos = 0;
        Append(sb, t.ShapeArray, 0, values, ref pos, t.DType);
        return sb.Append(')').ToString();
    }

    private static void Append(StringBuilder sb, int[] shape, int dim, double[] v, ref int pos, DType dtype)
    {
        if (dim == shape.Length)
        {
            sb.Append(dtype == DType.Int32 ? ((int)v[pos]).ToString(CultureInfo.InvariantCulture) : v[pos].ToString("G6", CultureInfo.InvariantCulture));
            pos++;
            return;
        }
        sb.Append('[');
        for (int i = 0; i < shape[dim]; i++)
        {
            if (i > 0) sb.Append(", ");
            Append(sb, shape, dim + 1, v, ref pos, dtype);
        }
        sb.Append(']');
    }
}
