// Fused first-order backward kernels of the common activations: grad combined with the saved input or output.
using System.Numerics;

namespace Mtl.Kernels;

/// <summary>d = x &gt; 0 ? g : 0 (a = g, b = x).</summary>
internal readonly struct ReluGradOp : IBinaryOp
{
    public static T Apply<T>(T g, T x) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? g : T.Zero;
    public static void Apply<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = x[i] > T.Zero ? g[i] : T.Zero;
    }
    public static void Apply<T>(ReadOnlySpan<T> g, T x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = Apply(g[i], x);
    }
    public static void Apply<T>(T g, ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = Apply(g, x[i]);
    }
}

/// <summary>d = g · y · (1 − y) where y = sigmoid(x) (a = g, b = y).</summary>
internal readonly struct SigmoidGradOp : IBinaryOp
{
    public static T Apply<T>(T g, T y) where T : unmanaged, IFloatingPointIeee754<T> => g * y * (T.One - y);
    public static void Apply<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = g[i] * y[i] * (T.One - y[i]);
    }
    public static void Apply<T>(ReadOnlySpan<T> g, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = Apply(g[i], y);
    }
    public static void Apply<T>(T g, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = Apply(g, y[i]);
    }
}

/// <summary>d = g · (1 − y²) where y = tanh(x) (a = g, b = y).</summary>
internal readonly struct TanhGradOp : IBinaryOp
{
    public static T Apply<T>(T g, T y) where T : unmanaged, IFloatingPointIeee754<T> => g * (T.One - y * y);
    public static void Apply<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = g[i] * (T.One - y[i] * y[i]);
    }
    public static void Apply<T>(ReadOnlySpan<T> g, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = Apply(g[i], y);
    }
    public static void Apply<T>(T g, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = Apply(g, y[i]);
    }
}
