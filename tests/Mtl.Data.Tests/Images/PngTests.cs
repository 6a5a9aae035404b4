// Tests of the PNG encoder: signature, IHDR, every chunk's CRC, and zlib data that decodes back to the pixels.
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Mtl.Data.Tests;

public class PngTests
{
    private sealed record Chunk(string Type, byte[] Data, uint Crc);

    private static List<Chunk> Parse(byte[] png)
    {
        Assert.Equal(Png.Signature.ToArray(), png[..8]);
        var chunks = new List<Chunk>();
        int at = 8;
        while (at < png.Length)
        {
            int len = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            string type = Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png.AsSpan(at + 8, len).ToArray();
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + len));
            Assert.Equal(Png.Crc32(png.AsSpan(at + 4, 4 + len)), crc);   // CRC over type and data
            chunks.Add(new Chunk(type, data, crc));
            at += 12 + len;
        }
        Assert.Equal(png.Length, at);
        return chunks;
    }

    /// <summary>Inflates the IDAT stream and undoes the per-row filters (0 = none, 2 = up).</summary>
    private static byte[] Decode(List<Chunk> chunks, int width, int height, int channels)
    {
        var idat = chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Data).ToArray();
        using var z = new ZLibStream(new MemoryStream(idat), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        z.CopyTo(raw);
        var bytes = raw.ToArray();
        int stride = width * channels;
        Assert.Equal(height * (stride + 1), bytes.Length);
        var pixels = new byte[height * stride];
        for (int y = 0; y < height; y++)
        {
            byte filter = bytes[y * (stride + 1)];
            Assert.True(filter is 0 or 2, $"row {y}: unexpected filter {filter}");
            for (int i = 0; i < stride; i++)
            {
                byte v = bytes[y * (stride + 1) + 1 + i];
                pixels[y * stride + i] = (byte)(filter == 2 && y > 0 ? v + pixels[(y - 1) * stride + i] : v);
            }
        }
        return pixels;
    }

    [Fact]
    public void Crc32MatchesTheStandardCheckValue() => Assert.Equal(0xCBF43926u, Png.Crc32("123456789"u8));

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 5)]
    [InlineData(64, 33)]
    public void GrayscaleAndRgbFilesAreValidAndDecodeToTheirPixels(int width, int height)
    {
        var gen = new Generator(5);
        foreach (int channels in new[] { 1, 3 })
        {
            var pixels = new byte[width * height * channels];
            for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i % 5 == 0 ? gen.NextInt(256) : (i / (width * channels)) * 3);
            var png = channels == 1 ? Png.EncodeGray(pixels, width, height) : Png.EncodeRgb(pixels, width, height);
            var chunks = Parse(png);
            Assert.Equal("IHDR", chunks[0].Type);
            Assert.Equal("IEND", chunks[^1].Type);
            Assert.Empty(chunks[^1].Data);
            var ihdr = chunks[0].Data;
            Assert.Equal(13, ihdr.Length);
            Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(ihdr));
            Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(ihdr.AsSpan(4)));
            Assert.Equal(8, ihdr[8]);
            Assert.Equal(channels == 1 ? 0 : 2, ihdr[9]);
            Assert.Equal([0, 0, 0], ihdr[10..]);
            Assert.Equal(pixels, Decode(chunks, width, height, channels));
        }
    }

    [Fact]
    public void RejectsWrongSizes()
    {
        Assert.Throws<ArgumentException>(() => Png.EncodeGray(new byte[5], 2, 2));
        Assert.Throws<ArgumentException>(() => Png.EncodeRgb(new byte[12], 0, 2));
    }

    [Fact]
    public void PreviewGridIsAValidPngWithLabelledTiles()
    {
        var multi = MultiDigitBuilder.MultiFashion(Samples.FashionTrain().Take(Enumerable.Range(0, 40).ToArray()), new MultiDigitOptions { Seed = 3 });
        var canvas = Previews.RenderMultiTaskGrid(multi, count: 16, columns: 4, title: "test");
        Assert.True(canvas.Width > 4 * 28 * 6 && canvas.Height > 4 * 28 * 6, $"{canvas.Width}×{canvas.Height}");
        var chunks = Parse(canvas.ToPng());
        Assert.Equal(canvas.Pixels.ToArray(), Decode(chunks, canvas.Width, canvas.Height, 3));
        // Task colours appear (labels and corner marks are drawn), and the image tiles hold bright pixels.
        var px = canvas.Pixels;
        bool orange = false, blue = false, white = false;
        for (int i = 0; i < px.Length; i += 3)
        {
            orange |= px[i] == 214 && px[i + 1] == 96 && px[i + 2] == 0;
            blue |= px[i] == 0 && px[i + 1] == 110 && px[i + 2] == 200;
            white |= px[i] > 250 && px[i + 1] > 250 && px[i + 2] > 250;
        }
        Assert.True(orange && blue && white);
        using var dir = ImageTestData.TempDirectory();
        Previews.SaveMultiTaskGrid(multi, dir.File("grid.png"), count: 4, columns: 2);
        Parse(File.ReadAllBytes(dir.File("grid.png")));
        Assert.Throws<ArgumentException>(() => Previews.RenderMultiTaskGrid(new InMemoryDataset([2, 2, 2], new float[8]))); // two channels
    }
}
