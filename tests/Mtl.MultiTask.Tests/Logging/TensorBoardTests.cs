// TensorBoard event files: CRC-32C check values, record framing, Event round trips and corruption detection.
using System.Text;
using Mtl.MultiTask.Logging;

namespace Mtl.MultiTask.Tests.Logging;

public class TensorBoardTests
{
    private static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mtl-tensorboard-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    [Fact]
    public void Crc32C_matches_the_standard_check_values()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0u, Crc32C.Compute([]));
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));          // RFC 3720 B.4: 32 bytes of zeros
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
    }

    [Fact]
    public void Mask_rotates_right_by_15_and_adds_the_delta()
    {
        Assert.Equal(0xa282ead8u, Crc32C.Mask(0));
        Assert.Equal(unchecked((0xE3069283u >> 15 | 0xE3069283u << 17) + 0xa282ead8u), Crc32C.Mask(0xE3069283u));
    }

    [Fact]
    public void A_record_is_length_crc_data_crc()
    {
        var stream = new MemoryStream();
        TfRecord.Write(stream, "abc"u8);
        var bytes = stream.ToArray();
        Assert.Equal(12 + 3 + 4, bytes.Length);
        Assert.Equal(3ul, BitConverter.ToUInt64(bytes, 0));
        Assert.Equal(Crc32C.Masked(bytes.AsSpan(0, 8)), BitConverter.ToUInt32(bytes, 8));
        Assert.Equal("abc", Encoding.ASCII.GetString(bytes, 12, 3));
        Assert.Equal(Crc32C.Masked("abc"u8), BitConverter.ToUInt32(bytes, 15));
    }

    [Fact]
    public void Events_round_trip_through_protobuf()
    {
        var e = new TensorBoardEvent(1_700_000_000.25, 1L << 40, null,
            [new ScalarValue("train/loss/a", 0.5f), new ScalarValue("val/b/accuracy", -3.25e-7f), new ScalarValue("train/cosine/a|b", 1f)]);
        var back = EventProto.Decode(EventProto.Encode(e));
        Assert.Equal(e.WallTime, back.WallTime);
        Assert.Equal(e.Step, back.Step);
        Assert.Null(back.FileVersion);
        Assert.Equal(e.Values, back.Values);
        var first = EventProto.Decode(EventProto.Encode(new TensorBoardEvent(2.5, 0, TensorBoardEvent.Version, [])));
        Assert.Equal("brain.Event:2", first.FileVersion);
        Assert.Empty(first.Values);
    }

    [Fact]
    public void Encoding_matches_hand_computed_protobuf_bytes()
    {
        // wall_time=1.0 (09 + 8 bytes), step=300 (10 AC 02), summary { value { tag "x" simple_value 2.0 } }.
        var bytes = EventProto.Encode(new TensorBoardEvent(1.0, 300, null, [new ScalarValue("x", 2f)]));
        byte[] expected = [0x09, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0x10, 0xAC, 0x02, 0x2A, 0x0A, 0x0A, 0x08, 0x0A, 0x01, (byte)'x', 0x15, 0, 0, 0, 0x40];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void A_session_start_event_is_field_7_with_status_1()
    {
        // wall_time=1.0, step=5 (10 05), session_log { status: START } (3A 02 08 01).
        var bytes = EventProto.Encode(new TensorBoardEvent(1.0, 5, null, []) { Session = SessionStatus.Start });
        byte[] expected = [0x09, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0x10, 0x05, 0x3A, 0x02, 0x08, 0x01];
        Assert.Equal(expected, bytes);
        Assert.Equal(SessionStatus.Start, EventProto.Decode(bytes).Session);
        Assert.Null(EventProto.Decode(EventProto.Encode(new TensorBoardEvent(1.0, 5, null, []))).Session);
    }

    [Fact]
    public void A_restarted_session_replaces_the_steps_an_interrupted_one_logged_after_its_checkpoint()
    {
        // The first session logged steps 1..10 but its last checkpoint was at step 6; the resumed session starts at 7.
        var dir = TempDir();
        using (var first = TensorBoardWriter.Create(dir, () => 100))
            for (int step = 1; step <= 10; step++) first.Scalars(step, [("loss", step)]);
        using (var second = TensorBoardWriter.Create(dir, () => 200))
        {
            second.SessionStart(7);
            for (int step = 7; step <= 12; step++) second.Scalars(step, [("loss", 100 + step)]);
        }
        var run = TensorBoardReader.ReadRun(dir);
        Assert.Equal(Enumerable.Range(1, 12).Select(s => (long)s), run.Select(p => p.Step));
        Assert.Equal([1f, 2, 3, 4, 5, 6, 107, 108, 109, 110, 111, 112], run.Select(p => p.Value));
    }

    [Fact]
    public void A_written_file_reads_back_with_version_first_and_non_finite_values_left_out()
    {
        var dir = TempDir();
        double now = 1_700_000_000;
        string path;
        using (var writer = TensorBoardWriter.Create(dir, () => now))
        {
            path = writer.FilePath;
            writer.Scalars(1, [("train/loss/a", 0.75), ("train/weight/a", double.NaN)]);
            now += 1;
            writer.Scalars(2, [("train/loss/a", 0.5), ("train/lr", 0.01)]);
            writer.Scalars(3, [("train/weight/a", double.PositiveInfinity)]);   // nothing finite: no record
        }
        Assert.StartsWith("events.out.tfevents.1700000000.", Path.GetFileName(path));
        var events = TensorBoardReader.ReadEvents(path);
        Assert.Equal(3, events.Count);
        Assert.Equal(TensorBoardEvent.Version, events[0].FileVersion);
        var scalars = TensorBoardReader.ReadScalars(path);
        Assert.Equal(
            [new ScalarPoint(1_700_000_000, 1, "train/loss/a", 0.75f), new ScalarPoint(1_700_000_001, 2, "train/loss/a", 0.5f), new ScalarPoint(1_700_000_001, 2, "train/lr", 0.01f)],
            scalars);
        Assert.Equal([path], TensorBoardReader.EventFiles(dir));
    }

    [Fact]
    public void A_second_writer_in_the_same_second_gets_its_own_file()
    {
        var dir = TempDir();
        using var a = TensorBoardWriter.Create(dir, () => 5);
        using var b = TensorBoardWriter.Create(dir, () => 5);
        Assert.NotEqual(a.FilePath, b.FilePath);
        Assert.EndsWith(".2", b.FilePath);
    }

    [Fact]
    public void A_corrupted_byte_is_reported_with_the_file_and_record_offset()
    {
        var dir = TempDir();
        string path;
        using (var writer = TensorBoardWriter.Create(dir, () => 1))
        {
            path = writer.FilePath;
            writer.Scalars(1, [("train/loss/a", 1.0)]);
            writer.Scalars(2, [("train/loss/a", 0.5)]);
        }
        var bytes = File.ReadAllBytes(path);
        var records = TfRecord.ReadAll(bytes, path);
        long second = records[1].Offset;

        var data = (byte[])bytes.Clone();
        data[second + 12 + 3] ^= 0x01;                    // a byte of record 1's payload
        File.WriteAllBytes(path, data);
        var e = Assert.Throws<InvalidDataException>(() => TensorBoardReader.ReadEvents(path));
        Assert.Equal($"{path}: record 1 at byte offset {second}: data CRC mismatch", e.Message[..e.Message.IndexOf(" (", StringComparison.Ordinal)]);

        var length = (byte[])bytes.Clone();
        length[second + 1] ^= 0x10;                       // record 1's length field
        File.WriteAllBytes(path, length);
        e = Assert.Throws<InvalidDataException>(() => TensorBoardReader.ReadEvents(path));
        Assert.StartsWith($"{path}: record 1 at byte offset {second}: length CRC mismatch (stored 0x", e.Message);

        File.WriteAllBytes(path, bytes[..^2]);            // cut short
        e = Assert.Throws<InvalidDataException>(() => TensorBoardReader.ReadEvents(path));
        Assert.Contains($"record 2 at byte offset {records[2].Offset}: truncated record", e.Message);
    }
}
