// An explicit, seedable random generator (xoshiro256**) whose full state can be saved and restored.
namespace Mtl;

/// <summary>
/// A deterministic random number generator (xoshiro256** seeded through SplitMix64). Every random op takes one
/// explicitly, so the same seed gives the same numbers; <see cref="GetState"/>/<see cref="SetState"/> let checkpoints
/// resume the exact stream.
/// </summary>
public sealed class Generator
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a generator from a seed.</summary>
    public Generator(ulong seed) => Reseed(seed);

    /// <summary>Restarts the stream from a seed.</summary>
    public void Reseed(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform float in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Uniform integer in [0, n) without modulo bias.</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "NextInt: n must be positive");
        ulong limit = ulong.MaxValue - ulong.MaxValue % (ulong)n;
        ulong r;
        do r = NextUInt64(); while (r >= limit);
        return (int)(r % (ulong)n);
    }

    /// <summary>A standard normal sample (Box–Muller, one value per call; no cached state).</summary>
    public double NextNormal()
    {
        double u1;
        do u1 = NextDouble(); while (u1 <= 0);
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Fills with uniform samples in [low, high).</summary>
    public void FillUniform(Span<float> dst, double low, double high)
    {
        float lo = (float)low, w = (float)(high - low);
        for (int i = 0; i < dst.Length; i++) dst[i] = lo + w * NextFloat();
    }

    /// <summary>Fills with uniform samples in [low, high).</summary>
    public void FillUniform(Span<double> dst, double low, double high)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = low + (high - low) * NextDouble();
    }

    /// <summary>Fills with normal samples N(mean, std²).</summary>
    public void FillNormal(Span<float> dst, double mean, double std)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = (float)(mean + std * NextNormal());
    }

    /// <summary>Fills with normal samples N(mean, std²).</summary>
    public void FillNormal(Span<double> dst, double mean, double std)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = mean + std * NextNormal();
    }

    /// <summary>Fisher–Yates shuffle of a span.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>The full 256-bit state, for checkpoints.</summary>
    public ulong[] GetState() => [_s0, _s1, _s2, _s3];

    /// <summary>Restores a state from <see cref="GetState"/>.</summary>
    public void SetState(ReadOnlySpan<ulong> state)
    {
        if (state.Length != 4) throw new ArgumentException($"Generator.SetState: expected 4 words, got {state.Length}");
        if ((state[0] | state[1] | state[2] | state[3]) == 0) throw new ArgumentException("Generator.SetState: the all-zero state is invalid");
        (_s0, _s1, _s2, _s3) = (state[0], state[1], state[2], state[3]);
    }
}
