// Atomic saves: a write that fails part-way leaves the previous file byte-identical and no temp file behind.
using Mtl.NN.Serialization;

namespace Mtl.NN.Tests.Serialization;

public class AtomicWriteTests
{
    /// <summary>Passes writes through until <paramref name="limit"/> bytes, then fails like a full disk.</summary>
    private sealed class FullDisk(Stream inner, long limit) : Stream
    {
        private long _written;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            long room = Math.Max(0, limit - _written);
            inner.Write(buffer[..(int)Math.Min(room, buffer.Length)]);
            _written += Math.Min(room, buffer.Length);
            if (buffer.Length > room) throw new IOException("No space left on device (simulated)");
        }
    }

    private static StateDict State(float v)
    {
        var sd = new StateDict();
        sd["trunk.0.weight"] = Tensor.Full([64, 64], v);
        sd["labels"] = Tensor.Zeros([10], DType.Int32);
        sd.Values["v"] = v.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return sd;
    }

    [Fact]
    public void Failure_at_any_point_of_the_write_keeps_the_old_file_and_leaves_no_temp()
    {
        using var dir = new TempDir();
        string path = dir.File("model.safetensors");
        SafeTensors.Save(path, State(1));
        var old = File.ReadAllBytes(path);
        long size = SafeTensors.Serialize(State(2)).Length;
        foreach (long limit in new long[] { 0, 3, 8, 40, 200, size / 2, size - 1 })
        {
            var e = Assert.Throws<IOException>(() => SafeTensors.Save(path, State(2), s => new FullDisk(s, limit)));
            Assert.Contains("simulated", e.Message);
            Assert.Equal(old, File.ReadAllBytes(path));
            Assert.Equal(new[] { "model.safetensors" }, dir.Files());
        }
        SafeTensors.Save(path, State(2), s => new FullDisk(s, size)); // exactly enough room
        Assert.Equal(SafeTensors.Serialize(State(2)), File.ReadAllBytes(path));
        Assert.Equal(new[] { "model.safetensors" }, dir.Files());
    }

    [Fact]
    public void Writer_exception_propagates_unchanged_and_cleans_up()
    {
        using var dir = new TempDir();
        string path = dir.File("x.bin");
        File.WriteAllBytes(path, [1, 2, 3]);
        var boom = new InvalidOperationException("tensor could not be read");
        var e = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[100_000]);
            throw boom;
        }));
        Assert.Same(boom, e);
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        Assert.Equal(new[] { "x.bin" }, dir.Files());
    }

    [Fact]
    public void Rename_failure_and_missing_directory_leave_nothing_behind()
    {
        using var dir = new TempDir();
        string sub = dir.File("occupied");
        Directory.CreateDirectory(sub); // a directory where the file should go: the final move fails
        Assert.ThrowsAny<IOException>(() => SafeTensors.Save(sub, State(1)));
        Assert.Empty(dir.Files());
        Assert.True(Directory.Exists(sub));
        Assert.Throws<DirectoryNotFoundException>(() => SafeTensors.Save(dir.File("no/such/dir/m.safetensors"), State(1)));
        Assert.Empty(dir.Files());
    }

    [Fact]
    public void Checkpoint_save_is_atomic_too()
    {
        using var dir = new TempDir();
        string path = dir.File("ck.safetensors");
        var c = new CheckpointContent { Step = 1 };
        c.Model["w"] = Tensor.Ones([3]);
        Checkpoint.Save(path, c);
        var old = File.ReadAllBytes(path);
        c.Step = 2;
        c.Model["w"] = Tensor.Zeros([3]);
        var flat = Checkpoint.ToStateDict(c);
        Assert.Throws<IOException>(() => SafeTensors.Save(path, flat, s => new FullDisk(s, 50)));
        Assert.Equal(old, File.ReadAllBytes(path));
        Assert.Equal(1, Checkpoint.Load(path).Step);
        Checkpoint.Save(path, c);
        Assert.Equal(2, Checkpoint.Load(path).Step);
        Assert.Equal(new[] { "ck.safetensors" }, dir.Files());
    }
}
