// The DSelect-k gate (Hazimeh et al. 2021): k binary-encoded single-expert selectors built from a cubic smooth-step.
using Mtl.NN;

namespace Mtl.MultiTask.Architectures;

/// <summary>
/// A continuously differentiable, k-sparse mixture gate over n experts (Hazimeh et al., NeurIPS 2021). Each of the k
/// single-expert selectors holds m = ⌈log₂ n⌉ logits z and gives expert i the weight
/// r(z)_i = Π_j (b_ij ? S(z_j) : 1 − S(z_j)), where b_i is i's m-bit binary code (most significant bit first) and S the
/// cubic smooth-step of width γ (<see cref="SmoothStep"/>); the selectors are combined with softmax weights α over the k
/// of them: a = Σ_s α_s · r(z_s). Once every |z| ≥ γ/2, each r(z_s) is one-hot, so a has at most k non-zeros.
/// When n is not a power of two, the codes n … 2^m − 1 select nothing: a then sums to Σ_i r_i ≤ 1 (exactly 1 once the
/// selectors have converged onto reachable codes), and <see cref="Regularizer"/> adds the paper's barrier Σ 1 / Σ_i r_i.
/// Static gates hold z (k, m) and the α logits (k) as parameters <c>z</c>, <c>w</c>; per-example gates compute them from
/// the routing input with Linear layers <c>z.*</c> (→ k·m) and <c>w.*</c> (→ k). Initialisation as the reference code:
/// z's parameters U(−γ/100, γ/100), w's U(−0.05, 0.05).
/// </summary>
public sealed class DSelectKGate : Module
{
    /// <summary>Added inside the logarithm of the entropy term, as the reference implementation (EPSILON = 1e-6).</summary>
    public const double EntropyEpsilon = 1e-6;

    private readonly Tensor _codes;

    /// <summary>A gate over <paramref name="numExperts"/> experts with <paramref name="k"/> selectors.</summary>
    /// <param name="numExperts">n ≥ 2.</param>
    /// <param name="k">Number of single-expert selectors (the most experts with non-zero weight), ≥ 1.</param>
    /// <param name="gamma">Width γ &gt; 0 of the smooth-step's cubic region.</param>
    /// <param name="routingDim">Features of the routing input for a per-example gate; 0 for a static gate.</param>
    /// <param name="generator">Source of the initial parameters (default: <see cref="Init.DefaultGenerator"/>).</param>
    public DSelectKGate(int numExperts, int k, double gamma = 1.0, int routingDim = 0, Generator? generator = null)
    {
        if (numExperts < 2) throw new ArgumentException($"DSelectKGate: needs at least 2 experts, got {numExperts}");
        if (k < 1) throw new ArgumentException($"DSelectKGate: the number of selectors k must be ≥ 1, got {k}");
        if (!(gamma > 0) || double.IsInfinity(gamma)) throw new ArgumentException($"DSelectKGate: gamma must be finite and > 0, got {gamma}");
        if (routingDim < 0) throw new ArgumentException($"DSelectKGate: routing dimension must be ≥ 0, got {routingDim}");
        NumExperts = numExperts;
        K = k;
        Gamma = gamma;
        RoutingDim = routingDim;
        NumBits = (int)Math.Ceiling(Math.Log2(numExperts));
        while ((1 << NumBits) < numExperts) NumBits++;                 // guard against rounding in Log2
        _codes = RegisterBuffer("codes", BinaryCodes(numExperts, NumBits), persistent: false)!;
        var g = generator ?? Init.DefaultGenerator;
        using (GradMode.NoGrad())
        {
            if (routingDim == 0)
            {
                StaticZ = RegisterParameter("z", Init.Uniform(Tensor.EmptyUnscoped([k, NumBits]), -gamma / 100, gamma / 100, g));
                StaticW = RegisterParameter("w", Init.Uniform(Tensor.EmptyUnscoped([k]), -0.05, 0.05, g));
            }
            else
            {
                ZLogits = RegisterModule("z", new Linear(routingDim, k * NumBits, generator: g));
                WLogits = RegisterModule("w", new Linear(routingDim, k, generator: g));
                foreach (var p in ZLogits.Parameters()) Init.Uniform(p, -gamma / 100, gamma / 100, g);
                foreach (var p in WLogits.Parameters()) Init.Uniform(p, -0.05, 0.05, g);
            }
        }
    }

    /// <summary>n, the number of experts.</summary>
    public int NumExperts { get; }

    /// <summary>k, the number of single-expert selectors.</summary>
    public int K { get; }

    /// <summary>γ, the width of the smooth-step's cubic region.</summary>
    public double Gamma { get; }

    /// <summary>Routing features of a per-example gate, 0 for a static gate.</summary>
    public int RoutingDim { get; }

    /// <summary>m = ⌈log₂ n⌉, the bits of each selector.</summary>
    public int NumBits { get; }

    /// <summary>True when n = 2^m, so every code names an expert.</summary>
    public bool IsPowerOfTwo => (1 << NumBits) == NumExperts;

    /// <summary>Static gate: the selector logits z (k, m); null for a per-example gate.</summary>
    public Tensor? StaticZ { get; }

    /// <summary>Static gate: the selector-weight logits (k); null for a per-example gate.</summary>
    public Tensor? StaticW { get; }

    /// <summary>Per-example gate: Linear(routing → k·m) giving z; null for a static gate.</summary>
    public Linear? ZLogits { get; }

    /// <summary>Per-example gate: Linear(routing → k) giving the selector-weight logits; null for a static gate.</summary>
    public Linear? WLogits { get; }

    /// <summary>
    /// The expert weights a (B, n) and the selector outputs r (B, k, n); a static gate returns one row (1, n), (1, k, n)
    /// and ignores <paramref name="routing"/>, a per-example gate needs the routing input (B, RoutingDim).
    /// </summary>
    public (Tensor Weights, Tensor Selectors) Compute(Tensor? routing = null)
    {
        Tensor z, w;
        if (RoutingDim == 0)
        {
            z = StaticZ!.Unsqueeze(0);                                                              // (1, k, m)
            w = StaticW!.Unsqueeze(0);                                                              // (1, k)
        }
        else
        {
            if (routing is null || routing.Rank != 2 || routing.Shape[1] != RoutingDim)
                throw new ArgumentException($"DSelectKGate: a per-example gate needs a routing input (B, {RoutingDim}), got {routing?.ShapeString ?? "none"}");
            z = ZLogits!.Forward(routing).Reshape(routing.Shape[0], K, NumBits);                    // (B, k, m)
            w = WLogits!.Forward(routing);                                                          // (B, k)
        }
        return Combine(z, w, _codes, Gamma);
    }

    /// <summary>
    /// The gate as a function of its logits: z (B, k, m), selector-weight logits w (B, k) and the binary codes (n, m) give
    /// the expert weights a = Σ_s softmax(w)_s · r(z_s) (B, n) and the selector outputs r (B, k, n).
    /// </summary>
    public static (Tensor Weights, Tensor Selectors) Combine(Tensor z, Tensor w, Tensor codes, double gamma)
    {
        var selectors = Selectors(SmoothStep(z, gamma), codes);                                     // (B, k, n)
        var alpha = w.Softmax(-1).Unsqueeze(-1);                                                    // (B, k, 1)
        return (alpha.Mul(selectors).Sum(1), selectors);                                            // (B, n), (B, k, n)
    }

    /// <summary>The m-bit binary codes of experts 0 … n − 1, most significant bit first, as a (n, m) 0/1 tensor.</summary>
    public static Tensor BinaryCodes(int numExperts, int numBits, DType dtype = DType.Float32)
    {
        var codes = new double[numExperts * numBits];
        for (int i = 0; i < numExperts; i++)
            for (int j = 0; j < numBits; j++)
                codes[i * numBits + j] = (i >> (numBits - 1 - j)) & 1;
        var t = Tensor.From(codes, numExperts, numBits);
        return dtype == DType.Float64 ? t : Tensor.From(codes.Select(v => (float)v).ToArray(), numExperts, numBits);
    }

    /// <summary>
    /// The cubic smooth-step: 0 for t ≤ −γ/2, 1 for t ≥ γ/2, −2t³/γ³ + 3t/(2γ) + 1/2 between (continuously differentiable).
    /// </summary>
    public static Tensor SmoothStep(Tensor t, double gamma)
    {
        var cubic = t.Pow(3).MulScalar(-2 / (gamma * gamma * gamma)).Add(t.MulScalar(3 / (2 * gamma))).AddScalar(0.5);
        var zero = Tensor.Zeros([], t.DType);
        var one = Tensor.Ones([], t.DType);
        return CompareOps.Where(t.LeScalar(-gamma / 2), zero, CompareOps.Where(t.GeScalar(gamma / 2), one, cubic));
    }

    /// <summary>r(z)_i = Π_j (b_ij S_j + (1 − b_ij)(1 − S_j)): smooth-step activations (B, k, m), codes (n, m) → (B, k, n).</summary>
    public static Tensor Selectors(Tensor activations, Tensor codes)
    {
        int m = codes.Shape[1];
        var s = activations.Unsqueeze(2);                                                           // (B, k, 1, m)
        // b·S + (1 − b)(1 − S) = (1 − b) + (2b − 1)·S, exact for b ∈ {0, 1}.
        var factors = codes.MulScalar(2).AddScalar(-1).Mul(s).Add(codes.RSubScalar(1));             // (B, k, n, m)
        var r = factors.Select(3, 0);                                                               // (B, k, n)
        for (int j = 1; j < m; j++) r = r.Mul(factors.Select(3, j));
        return r;
    }

    /// <summary>
    /// The reference code's regulariser on selector outputs r (any shape, experts last):
    /// λ · Σ −r log(r + 1e-6) over every element (batch included), plus Σ 1 / Σ_i r_i over every selector when
    /// <paramref name="powerOfTwo"/> is false (keeps the unreachable codes from taking a selector's mass).
    /// </summary>
    public static Tensor Regularizer(Tensor selectors, double lambda, bool powerOfTwo)
    {
        var entropy = selectors.Mul(selectors.AddScalar(EntropyEpsilon).Log()).Sum().MulScalar(-lambda);
        return powerOfTwo ? entropy : entropy.Add(selectors.Sum(-1).Pow(-1).Sum());
    }
}
