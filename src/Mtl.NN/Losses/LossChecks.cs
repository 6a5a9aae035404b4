// Argument checks shared by the losses: float inputs, matching target dtypes and shapes, class-weight vectors.
namespace Mtl.NN;

/// <summary>Validation helpers whose messages name the loss and the shapes involved.</summary>
internal static class LossChecks
{
    /// <summary>A non-null float tensor.</summary>
    public static void Float(string op, Tensor t, string name)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        if (!t.DType.IsFloating())
            throw new ArgumentException($"{op}: {name} must be a Float32 or Float64 tensor, got {t.DType} {t.ShapeString}");
    }

    /// <summary>A float input and a float target of the input's dtype and exact shape (no broadcasting).</summary>
    public static void SameFloat(string op, Tensor input, Tensor target, string inputName = "input")
    {
        Float(op, input, inputName);
        ArgumentNullException.ThrowIfNull(target);
        if (target.DType != input.DType)
            throw new ArgumentException(
                $"{op}: target must be a float tensor of the {inputName}'s dtype ({input.DType}), got {target.DType} {target.ShapeString}" +
                (target.DType == DType.Int32 ? " (integer targets are class indices; this loss needs values)" : ""));
        SameShape(op, input, target, inputName);
    }

    /// <summary>Equal shapes (PyTorch would broadcast some losses silently; Mtl refuses).</summary>
    public static void SameShape(string op, Tensor input, Tensor target, string inputName = "input")
    {
        if (!ShapeUtil.SameShape(input.Shape, target.Shape))
            throw new ArgumentException($"{op}: {inputName} {input.ShapeString} and target {target.ShapeString} must have the same shape");
    }

    /// <summary>An optional tensor (weight, pos_weight) of the input's dtype that broadcasts to the input's shape.</summary>
    public static void BroadcastsTo(string op, Tensor? t, string name, Tensor input)
    {
        if (t is null) return;
        if (t.DType != input.DType)
            throw new ArgumentException($"{op}: {name} must have the input's dtype {input.DType}, got {t.DType} {t.ShapeString}");
        bool ok = t.Rank <= input.Rank;
        for (int i = 0; ok && i < t.Rank; i++)
        {
            int d = t.Shape[t.Rank - 1 - i], n = input.Shape[input.Rank - 1 - i];
            ok = d == n || d == 1;
        }
        if (!ok) throw new ArgumentException($"{op}: {name} {t.ShapeString} does not broadcast to input {input.ShapeString}");
    }

    /// <summary>An optional class-weight vector: 1-D, C entries, the input's dtype.</summary>
    public static void ClassWeight(string op, Tensor? weight, Tensor input, int classes)
    {
        if (weight is null) return;
        if (weight.DType != input.DType)
            throw new ArgumentException($"{op}: weight must have the input's dtype {input.DType}, got {weight.DType} {weight.ShapeString}");
        if (weight.Rank != 1 || weight.Shape[0] != classes)
            throw new ArgumentException($"{op}: weight {weight.ShapeString} must be 1-D with one entry per class ({classes}) of input {input.ShapeString}");
    }
}
