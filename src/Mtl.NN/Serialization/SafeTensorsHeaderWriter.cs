// Lays tensors out the way the reference safetensors writer does and emits its exact compact JSON header bytes.
using System.Text;

namespace Mtl.NN.Serialization;

/// <summary>One tensor of a planned file, in write order.</summary>
internal sealed record SafeTensorsPlannedTensor(string Name, Tensor Tensor, SafeTensorsDType DType, long Begin, long End);

/// <summary>A planned file: the padded header bytes and the tensors in the order their data follows it.</summary>
internal sealed record SafeTensorsPlan(byte[] Header, List<SafeTensorsPlannedTensor> Tensors);

/// <summary>
/// Reproduces the reference writer's byte layout (safetensors' <c>prepare</c> + serde_json):
/// <list type="bullet">
/// <item>tensors sorted by dtype in descending library order (F64 before F32 before I32), ties by name compared as
/// UTF-8 bytes (Rust's <c>String</c> order, which differs from .NET's UTF-16 ordinal order above U+FFFF), packed
/// back to back from offset 0;</item>
/// <item>compact JSON with no spaces: <c>"__metadata__"</c> first when there is metadata (omitted when
/// <see cref="StateDict.Values"/> is empty, as the library omits it for <c>metadata=None</c>), then each tensor as
/// <c>{"dtype":..,"shape":[..],"data_offsets":[b,e]}</c> in packing order;</item>
/// <item>strings escaped as serde_json does: <c>\"</c>, <c>\\</c>, <c>\b \t \n \f \r</c>, other bytes below 0x20 as
/// <c>\u00xx</c> (lower-case hex), everything else (non-ASCII included) raw UTF-8;</item>
/// <item>header padded with spaces to a multiple of 8 bytes.</item>
/// </list>
/// One documented difference: the library emits metadata entries in hash-map order (not reproducible from run to run);
/// Mtl sorts them by key (UTF-8 bytes), so Mtl's files are deterministic and every reader accepts either order.
/// </summary>
internal static class SafeTensorsHeaderWriter
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Validates <paramref name="state"/> and plans the file; throws ArgumentException before any I/O.</summary>
    public static SafeTensorsPlan Plan(StateDict state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var items = new List<(byte[] Name, string Key, Tensor T, SafeTensorsDType D)>(state.Count);
        foreach (var (key, t) in state.Tensors)
        {
            if (key == "__metadata__") throw new ArgumentException("safetensors save: a tensor cannot be named '__metadata__' (reserved for metadata)");
            if (t is null) throw new ArgumentException($"safetensors save: tensor '{key}' is null");
            items.Add((Encode(key, $"tensor name '{key}'"), key, t, SafeTensorsDTypes.WrittenAs(t.DType)));
        }
        items.Sort((a, b) =>
        {
            int c = b.D.CompareTo(a.D);
            return c != 0 ? c : a.Name.AsSpan().SequenceCompareTo(b.Name);
        });

        var json = new MemoryStream();
        json.WriteByte((byte)'{');
        bool first = true;
        if (state.Values.Count > 0)
        {
            var meta = state.Values
                .Select(kv => (Key: Encode(kv.Key, $"metadata key '{kv.Key}'"), Value: Encode(kv.Value, $"metadata value of '{kv.Key}'")))
                .ToList();
            meta.Sort((a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
            WriteString(json, "__metadata__"u8);
            json.WriteByte((byte)':');
            json.WriteByte((byte)'{');
            for (int i = 0; i < meta.Count; i++)
            {
                if (i > 0) json.WriteByte((byte)',');
                WriteString(json, meta[i].Key);
                json.WriteByte((byte)':');
                WriteString(json, meta[i].Value);
            }
            json.WriteByte((byte)'}');
            first = false;
        }

        var planned = new List<SafeTensorsPlannedTensor>(items.Count);
        long offset = 0;
        foreach (var (name, key, t, d) in items)
        {
            long bytes = (long)t.Numel * (d.BitSize() / 8);
            planned.Add(new SafeTensorsPlannedTensor(key, t, d, offset, offset + bytes));
            if (!first) json.WriteByte((byte)',');
            first = false;
            WriteString(json, name);
            json.Write(":{\"dtype\":"u8);
            WriteString(json, Encoding.ASCII.GetBytes(d.ToString()));
            json.Write(",\"shape\":["u8);
            for (int i = 0; i < t.Rank; i++)
            {
                if (i > 0) json.WriteByte((byte)',');
                WriteAscii(json, t.Shape[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            json.Write("],\"data_offsets\":["u8);
            WriteAscii(json, offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
            json.WriteByte((byte)',');
            WriteAscii(json, (offset + bytes).ToString(System.Globalization.CultureInfo.InvariantCulture));
            json.Write("]}"u8);
            offset += bytes;
        }
        json.WriteByte((byte)'}');
        while (json.Length % 8 != 0) json.WriteByte((byte)' ');
        if (json.Length > SafeTensors.MaxHeaderBytes)
            throw new ArgumentException($"safetensors save: the header would be {json.Length} bytes, above the {SafeTensors.MaxHeaderBytes}-byte limit readers enforce");
        return new SafeTensorsPlan(json.ToArray(), planned);
    }

    private static byte[] Encode(string s, string what)
    {
        try { return StrictUtf8.GetBytes(s); }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException($"safetensors save: {what} is not valid Unicode (unpaired surrogate) and cannot be written as UTF-8", e);
        }
    }

    // serde_json's escaping, applied to UTF-8 bytes (multi-byte sequences never contain bytes below 0x80).
    private static void WriteString(MemoryStream o, ReadOnlySpan<byte> utf8)
    {
        o.WriteByte((byte)'"');
        foreach (byte b in utf8)
        {
            switch (b)
            {
                case (byte)'"': o.Write("\\\""u8); break;
                case (byte)'\\': o.Write("\\\\"u8); break;
                case 0x08: o.Write("\\b"u8); break;
                case 0x09: o.Write("\\t"u8); break;
                case 0x0A: o.Write("\\n"u8); break;
                case 0x0C: o.Write("\\f"u8); break;
                case 0x0D: o.Write("\\r"u8); break;
                default:
                    if (b < 0x20)
                    {
                        o.Write("\\u00"u8);
                        o.WriteByte((byte)"0123456789abcdef"[b >> 4]);
                        o.WriteByte((byte)"0123456789abcdef"[b & 15]);
                    }
                    else o.WriteByte(b);
                    break;
            }
        }
        o.WriteByte((byte)'"');
    }

    private static void WriteAscii(MemoryStream o, string s)
    {
        foreach (char c in s) o.WriteByte((byte)c);
    }
}
