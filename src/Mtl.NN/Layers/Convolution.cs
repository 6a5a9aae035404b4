// Convolution and pooling layers: Conv2d with PyTorch's default initialisation, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d.
namespace Mtl.NN;

/// <summary>
/// 2-D convolution over (N, C_in, H, W) input. Weight (C_out, C_in/groups, kH, kW) is Kaiming-uniform with a = √5 and the
/// bias U(±1/√fan_in), as PyTorch's Conv2d.
/// </summary>
public sealed class Conv2d : Module<Tensor, Tensor>
{
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1,
        bool bias = true, Generator? generator = null)
        : this(inChannels, outChannels, (kernelSize, kernelSize), (stride, stride), (padding, padding), (dilation, dilation), groups, bias, generator) { }

    public Conv2d(int inChannels, int outChannels, (int H, int W) kernelSize, (int H, int W) stride, (int H, int W) padding,
        (int H, int W) dilation, int groups = 1, bool bias = true, Generator? generator = null)
    {
        if (inChannels <= 0 || outChannels <= 0 || groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv2d: channels ({inChannels} → {outChannels}) must be positive and divisible by groups={groups}");
        if (kernelSize.H <= 0 || kernelSize.W <= 0 || stride.H <= 0 || stride.W <= 0 || dilation.H <= 0 || dilation.W <= 0 || padding.H < 0 || padding.W < 0)
            throw new ArgumentException($"Conv2d: invalid kernel {kernelSize}, stride {stride}, padding {padding} or dilation {dilation}");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Dilation = dilation;
        Groups = groups;
        Weight = RegisterParameter("weight", Tensor.EmptyUnscoped([outChannels, inChannels / groups, kernelSize.H, kernelSize.W]))!;
        Bias = RegisterParameter("bias", bias ? Tensor.EmptyUnscoped([outChannels]) : null);
        using (GradMode.NoGrad()) ResetOwnParameters(generator ?? Init.DefaultGenerator);
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public (int H, int W) KernelSize { get; }
    public (int H, int W) Stride { get; }
    public (int H, int W) Padding { get; }
    public (int H, int W) Dilation { get; }
    public int Groups { get; }

    /// <summary>(C_out, C_in/groups, kH, kW).</summary>
    public Tensor Weight { get; }

    /// <summary>(C_out), or null.</summary>
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor x) =>
        x.Conv2d(Weight, Bias, Stride.H, Stride.W, Padding.H, Padding.W, Dilation.H, Dilation.W, Groups);

    protected override void ResetOwnParameters(Generator generator)
    {
        Init.KaimingUniform(Weight, Math.Sqrt(5), generator);
        if (Bias is not null) Init.BiasUniform(Bias, Weight, generator);
    }

    protected override string ExtraRepr() =>
        $"{InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}, padding={Padding}" +
        (Dilation != (1, 1) ? $", dilation={Dilation}" : "") + (Groups != 1 ? $", groups={Groups}" : "") + (Bias is null ? ", bias=False" : "");
}

/// <summary>Max pooling over (N, C, H, W); stride defaults to the kernel size, padding pads with −∞.</summary>
public sealed class MaxPool2d(int kernelSize, int? stride = null, int padding = 0) : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor x) => x.MaxPool2d(kernelSize, kernelSize, stride ?? kernelSize, stride ?? kernelSize, padding, padding);
    protected override string ExtraRepr() => $"kernel_size={kernelSize}, stride={stride ?? kernelSize}, padding={padding}";
}

/// <summary>Average pooling over (N, C, H, W); padding counts as zeros (count_include_pad, PyTorch's default).</summary>
public sealed class AvgPool2d(int kernelSize, int? stride = null, int padding = 0) : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor x) => x.AvgPool2d(kernelSize, kernelSize, stride ?? kernelSize, stride ?? kernelSize, padding, padding);
    protected override string ExtraRepr() => $"kernel_size={kernelSize}, stride={stride ?? kernelSize}, padding={padding}";
}

/// <summary>Average pooling to a fixed output size (PyTorch's bin boundaries).</summary>
public sealed class AdaptiveAvgPool2d(int outH, int outW) : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor x) => x.AdaptiveAvgPool2d(outH, outW);
    protected override string ExtraRepr() => $"output_size=({outH}, {outW})";
}
