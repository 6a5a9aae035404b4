// The contract for objects whose exact state can be saved into and restored from a StateDict (optimisers, schedules).
namespace Mtl.NN;

/// <summary>Something whose full state round-trips through a <see cref="StateDict"/> (used by checkpoints).</summary>
public interface IStateful
{
    /// <summary>A snapshot of the state: tensors (copies or views) and string values.</summary>
    StateDict StateDict();

    /// <summary>Restores a snapshot made by <see cref="StateDict"/>; validates it fully before changing anything.</summary>
    void LoadStateDict(StateDict state);
}
