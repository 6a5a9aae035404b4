// Thread-local switch that turns graph recording off (NoGrad scopes) and back on.
namespace Mtl;

/// <summary>Whether ops record the autograd graph on this thread.</summary>
public static class GradMode
{
    [ThreadStatic] private static bool _disabled;

    /// <summary>True when ops record gradients on this thread.</summary>
    public static bool IsEnabled => !_disabled;

    /// <summary>Turns recording off until the returned scope is disposed (<c>using var _ = GradMode.NoGrad();</c>).</summary>
    public static Scope NoGrad() => Set(false);

    /// <summary>Turns recording on until the returned scope is disposed.</summary>
    public static Scope EnableGrad() => Set(true);

    private static Scope Set(bool enabled)
    {
        var prev = !_disabled;
        _disabled = !enabled;
        return new Scope(prev);
    }

    /// <summary>Restores the previous mode when disposed.</summary>
    public readonly struct Scope(bool previous) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => _disabled = !previous;
    }
}
