// One recorded operation in the autograd graph: its inputs, the tensors it saved, and its backward function.
using Mtl.Storage;

namespace Mtl;

/// <summary>
/// The record an op leaves on its output: which inputs it read, which tensors it saved for backward (with their
/// versions, so in-place changes are caught), and a function from the output gradient to the input gradients.
/// </summary>
public sealed class GradNode
{
    private Func<Tensor, Tensor?[]>? _backward;
    private Tensor[]? _saved;
    private int[]? _savedVersions;

    internal GradNode(string opName, Tensor[] inputs, Func<Tensor, Tensor?[]> backward, Tensor[] saved, int[] outputShape, DType dtype)
    {
        OpName = opName;
        Inputs = inputs;
        _backward = backward;
        OutputShape = outputShape;
        OutputDType = dtype;
        if (saved.Length > 0)
        {
            _saved = saved;
            _savedVersions = new int[saved.Length];
            for (int i = 0; i < saved.Length; i++) _savedVersions[i] = saved[i].Storage.Version;
        }
    }

    /// <summary>Name of the op that made this node (used in error messages).</summary>
    public string OpName { get; }

    /// <summary>The op's tensor inputs, in argument order.</summary>
    internal Tensor[] Inputs { get; private set; }

    internal int[] OutputShape { get; }
    internal DType OutputDType { get; }

    /// <summary>True once backward ran without retainGraph and the saved state was dropped.</summary>
    public bool IsReleased => _backward is null;

    internal Tensor?[] Apply(Tensor gradOutput)
    {
        var fn = _backward ?? throw new InvalidOperationException(
            $"backward through '{OpName}' a second time: its saved tensors were freed by the first backward; pass retainGraph: true to the first call");
        if (_saved is not null)
        {
            for (int i = 0; i < _saved.Length; i++)
            {
                var s = _saved[i];
                if (s.Storage.IsReleased)
                    throw new InvalidOperationException($"'{OpName}' needs a tensor {s.ShapeString} whose TensorScope has already ended");
                if (s.Storage.Version != _savedVersions![i])
                    throw new InvalidOperationException(
                        $"a tensor {s.ShapeString} saved for backward by '{OpName}' was modified in place after it was saved (version {_savedVersions[i]} -> {s.Storage.Version})");
            }
        }
        var grads = fn(gradOutput);
        if (grads.Length != Inputs.Length)
            throw new InvalidOperationException($"internal: backward of '{OpName}' returned {grads.Length} gradients for {Inputs.Length} inputs");
        return grads;
    }

    internal void Release()
    {
        _backward = null;
        _saved = null;
        _savedVersions = null;
        Inputs = [];
    }
}
