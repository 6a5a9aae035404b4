// Deterministic fuzzing: hundreds of corrupted variants of valid files must load or fail cleanly, quickly, never crash.
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Mtl.NN.Serialization;
using Xunit.Abstractions;

namespace Mtl.NN.Tests.Serialization;

public class SafeTensorsFuzzTests(ITestOutputHelper output)
{
    private static byte[] ValidFile()
    {
        var g = new Generator(3);
        var sd = new StateDict();
        sd["trunk.0.weight"] = Tensor.RandN([3, 4], g);
        sd["trunk.0.bias"] = Tensor.RandN([4], g);
        sd["heads.task_a.weight"] = Tensor.RandN([2, 3], g, dtype: DType.Float64);
        sd["labels"] = Tensor.From([1, -2, 3, -4, 5]);
        sd["s"] = Tensor.Scalar(1.5);
        sd["e"] = Tensor.Zeros([0, 2]);
        sd.Values["format"] = "pt";
        sd.Values["k"] = "v";
        return SafeTensors.Serialize(sd);
    }

    private enum Outcome { Loaded, Refused }

    // Loads; a SafeTensorsFormatException is a clean refusal, anything else fails the test naming the case.
    private static Outcome Try(byte[] bytes, string what, Func<byte[], object> load)
    {
        var sw = Stopwatch.StartNew();
        try
        {
            load(bytes);
            return Outcome.Loaded;
        }
        catch (SafeTensorsFormatException e)
        {
            Assert.StartsWith("safetensors ", e.Message);
            return Outcome.Refused;
        }
        catch (CheckpointException e)
        {
            Assert.StartsWith("checkpoint ", e.Message);
            return Outcome.Refused;
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: escaped {e.GetType().Name}: {e.Message}");
            throw;
        }
        finally
        {
            Assert.True(sw.ElapsedMilliseconds < 1000, $"{what}: took {sw.ElapsedMilliseconds} ms");
        }
    }

    private static object LoadST(byte[] b) => SafeTensors.Load(b);

    private static byte[] WithHeader(byte[] file, string header, bool keepLength = false)
    {
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        var h = Encoding.UTF8.GetBytes(header);
        var data = file.AsSpan(8 + (int)n);
        var r = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(r, keepLength ? n : (ulong)h.Length);
        h.CopyTo(r, 8);
        data.CopyTo(r.AsSpan(8 + h.Length));
        return r;
    }

    [Fact]
    public void Corrupted_safetensors_files_load_or_fail_cleanly()
    {
        var total = Stopwatch.StartNew();
        var file = ValidFile();
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        string header = Encoding.UTF8.GetString(file, 8, n);
        int cases = 0, refused = 0;
        void Expect(byte[] b, string what, Outcome? required = null)
        {
            var o = Try(b, what, LoadST);
            cases++;
            if (o == Outcome.Refused) refused++;
            if (required is { } r) Assert.True(o == r, $"{what}: {o}, expected {r}");
        }

        Expect(file, "original", Outcome.Loaded);
        for (int len = 0; len < file.Length; len++) Expect(file[..len], $"truncated to {len}", Outcome.Refused);
        for (int extra = 1; extra <= 16; extra++) Expect([.. file, .. new byte[extra]], $"{extra} trailing bytes", Outcome.Refused);

        var rng = new Random(20240607);
        for (int i = 0; i < 400; i++)
        {
            var b = (byte[])file.Clone();
            int pos = rng.Next(b.Length);
            b[pos] ^= (byte)rng.Next(1, 256);
            // A flip in the data buffer only changes values; in the length field it always breaks the file.
            Outcome? must = pos >= 8 + n ? Outcome.Loaded : pos < 8 ? Outcome.Refused : null;
            Expect(b, $"flip at {pos}", must);
        }
        for (int i = 0; i < 200; i++)
        {
            var b = (byte[])file.Clone();
            for (int k = 0; k < 1 + rng.Next(4); k++) b[8 + rng.Next(n)] = (byte)rng.Next(256);
            Expect(b, $"header scribble {i}");
        }

        ulong[] lengths = [0, 1, 7, 8, (ulong)n - 1, (ulong)n + 1, (ulong)(file.Length - 8), (ulong)(file.Length - 7), (ulong)file.Length,
            100_000_000, 100_000_001, int.MaxValue, uint.MaxValue, (ulong)long.MaxValue, 1UL << 63, ulong.MaxValue, ulong.MaxValue - 7];
        foreach (var len in lengths)
        {
            var b = (byte[])file.Clone();
            BinaryPrimitives.WriteUInt64LittleEndian(b, len);
            Expect(b, $"length field {len}", Outcome.Refused);
        }

        (string From, string To)[] edits =
        [
            ("\"F32\"", "\"F33\""), ("\"F32\"", "32"), ("\"F32\"", "null"), ("\"F64\"", "\"I64\""), ("\"I32\"", "\"BOOL\""),
            ("\"shape\":[3,4]", "\"shape\":[2147483647,2147483647]"), ("\"shape\":[3,4]", "\"shape\":[-3,4]"),
            ("\"shape\":[3,4]", "\"shape\":[3.0,4]"), ("\"shape\":[3,4]", "\"shape\":\"3,4\""), ("\"shape\":[3,4]", "\"shape\":[4294967299,4]"),
            ("\"shape\":[3,4]", "\"shape\":[3,4,2,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]"),
            ("\"shape\":[]", "\"shape\":[1,2]"), ("\"shape\":[0,2]", "\"shape\":[0,2147483647,2147483647]"),
            ("\"data_offsets\":[0,", "\"data_offsets\":[4,"), ("\"data_offsets\":[0,", "\"data_offsets\":[-1,"),
            ("\"data_offsets\":[0,", "\"data_offsets\":[0,0,"), ("\"data_offsets\":[0,", "\"data_offsets\":{\"a\":0,"),
            ("\"dtype\":\"F32\",", ""), ("\"shape\":[3,4],", ""), (",\"data_offsets\"", ",\"offsets\""),
            ("\"format\":\"pt\"", "\"format\":1"), ("\"format\":\"pt\"", "\"format\":[\"pt\"]"), ("\"__metadata__\"", "\"trunk.0.bias\""),
            ("{\"__metadata__\"", "[{\"__metadata__\""), ("\"k\":\"v\"", "\"k\":\"v\",\"k\":\"w\""), ("}}", "}},"), (":", "::"),
            ("\"labels\"", "\"trunk.0.bias\""), ("\"labels\"", "\"\\ud800\""), ("\"labels\"", "\"\\u00zz\""), ("\"s\"", "\"e\""),
            ("{", "{{"), ("{", "{\"x\":" + new string('[', 5000) + new string(']', 5000) + ","),
            ("{", "{\"x\":" + new string('{', 100)),
        ];
        foreach (var (from, to) in edits)
        {
            int at = header.IndexOf(from, StringComparison.Ordinal);
            Assert.True(at >= 0, $"fuzz edit source '{from}' not in header {header}");
            string h = header[..at] + to + header[(at + from.Length)..];
            Expect(WithHeader(file, h), $"edit {from} -> {to}", Outcome.Refused);
            Expect(WithHeader(file, h, keepLength: true), $"edit {from} -> {to} (old length)", Outcome.Refused);
        }

        const string alphabet = "{}[]\",:0123456789-.eE aFIUB\\";
        for (int i = 0; i < 300; i++)
        {
            var sb = new StringBuilder(header.TrimEnd());
            int p = rng.Next(sb.Length);
            switch (rng.Next(3))
            {
                case 0: sb.Remove(p, 1 + rng.Next(Math.Min(4, sb.Length - p))); break;
                case 1: sb.Insert(p, alphabet[rng.Next(alphabet.Length)]); break;
                default: sb[p] = alphabet[rng.Next(alphabet.Length)]; break;
            }
            Expect(WithHeader(file, sb.ToString()), $"text mutation {i}: {sb}");
        }

        total.Stop();
        output.WriteLine($"{cases} cases, {refused} refused, {total.ElapsedMilliseconds} ms");
        Assert.True(cases > 1000);
        Assert.True(total.ElapsedMilliseconds < 5000, $"fuzzing took {total.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void Corrupted_checkpoints_load_or_fail_cleanly()
    {
        var total = Stopwatch.StartNew();
        var content = new CheckpointContent { Step = 123, Epoch = 4, ConfigJson = "{\"lr\":0.1}" };
        content.Model["trunk.0.weight"] = Tensor.RandN([3, 4], new Generator(1));
        content.Model["trunk.0.bias"] = Tensor.Zeros([4]);
        content.Components["optim"] = new StateDict();
        content.Components["optim"]["exp_avg.0"] = Tensor.Ones([3, 4]);
        content.Components["optim"].Values["lr"] = "0.1";
        content.Components["sched"] = new StateDict();
        content.Generators["data"] = new Generator(9).GetState();
        var file = SafeTensors.Serialize(Checkpoint.ToStateDict(content));
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        static object LoadCk(byte[] b) => Checkpoint.FromStateDict(SafeTensors.Load(b), "fuzz");

        Assert.Equal(Outcome.Loaded, Try(file, "original", LoadCk));
        int cases = 0;
        for (int len = 0; len < file.Length; len += 3, cases++)
            Assert.Equal(Outcome.Refused, Try(file[..len], $"truncated to {len}", LoadCk));
        var rng = new Random(77);
        for (int i = 0; i < 400; i++, cases++)
        {
            var b = (byte[])file.Clone();
            int pos = 8 + rng.Next(n); // the header, where the checkpoint's own keys live
            b[pos] ^= (byte)rng.Next(1, 256);
            Try(b, $"checkpoint flip at {pos}", LoadCk);
        }
        string header = Encoding.UTF8.GetString(file, 8, n);
        (string From, string To)[] edits =
        [
            ("mtl-checkpoint/1", "mtl-checkpoint/2"), ("mtl-checkpoint/1", "safetensors"), ("\"mtl.format\"", "\"mtl.formet\""),
            ("\"mtl.step\":\"123\"", "\"mtl.step\":\"-1\""), ("\"mtl.step\":\"123\"", "\"mtl.step\":\"1e3\""), ("\"mtl.step\":\"123\"", "\"mtl.stop\":\"123\""),
            ("\"mtl.epoch\":\"4\"", "\"mtl.epoch\":\"99999999999\""), ("\"mtl.config\":\"{\\\"lr\\\":0.1}\"", "\"mtl.config\":\"{lr:0.1}\""),
            ("\"mtl.components\":\"optim,sched\"", "\"mtl.components\":\"sched\""), ("\"mtl.components\":\"optim,sched\"", "\"mtl.components\":\"optim,optim,sched\""),
            ("\"mtl.components\":\"optim,sched\"", "\"mtl.components\":\"optim,sched,model\""), ("\"optim.lr\"", "\"lr\""),
            ("\"mtl.rng.data\":\"", "\"mtl.rng.data\":\"0"), ("\"mtl.rng.data\"", "\"mtl.rng.da ta\""), ("\"model.trunk.0.bias\"", "\"trunk.0.bias\""),
            ("\"model.trunk.0.bias\"", "\"mtl.trunk.0.bias\""), ("\"optim.exp_avg.0\"", "\"sched2.exp_avg.0\""),
        ];
        foreach (var (from, to) in edits)
        {
            int at = header.IndexOf(from, StringComparison.Ordinal);
            Assert.True(at >= 0, $"edit source '{from}' not in header {header}");
            var b = WithHeader(file, header[..at] + to + header[(at + from.Length)..]);
            Assert.True(Try(b, $"checkpoint edit {from} -> {to}", LoadCk) == Outcome.Refused, $"checkpoint edit {from} -> {to} loaded");
            cases++;
        }
        var zeroRng = header.IndexOf("\"mtl.rng.data\":\"", StringComparison.Ordinal) + 16;
        var zero = WithHeader(file, header[..zeroRng] + "0000000000000000,0000000000000000,0000000000000000,0000000000000000" + header[(zeroRng + 67)..]);
        Assert.Equal(Outcome.Refused, Try(zero, "all-zero rng", LoadCk));
        total.Stop();
        output.WriteLine($"{cases} checkpoint cases, {total.ElapsedMilliseconds} ms");
        Assert.True(total.ElapsedMilliseconds < 5000, $"checkpoint fuzzing took {total.ElapsedMilliseconds} ms");
    }
}
