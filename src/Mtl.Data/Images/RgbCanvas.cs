// An 8-bit RGB drawing surface for preview pictures: fills, scaled grayscale images, bitmap-font text, PNG output.
namespace Mtl.Data;

/// <summary>A width × height RGB image in memory (row-major, 3 bytes per pixel) with a few drawing primitives.</summary>
public sealed class RgbCanvas
{
    private readonly byte[] _rgb;

    /// <summary>A canvas filled with <paramref name="background"/>.</summary>
    public RgbCanvas(int width, int height, (byte R, byte G, byte B) background)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"RgbCanvas: size must be positive, got {width}×{height}");
        Width = width;
        Height = height;
        _rgb = new byte[width * height * 3];
        FillRect(0, 0, width, height, background);
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>The pixels (height × width × 3).</summary>
    public ReadOnlySpan<byte> Pixels => _rgb;

    /// <summary>Sets one pixel (ignored outside the canvas).</summary>
    public void Set(int x, int y, (byte R, byte G, byte B) c)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height) return;
        int i = (y * Width + x) * 3;
        _rgb[i] = c.R; _rgb[i + 1] = c.G; _rgb[i + 2] = c.B;
    }

    /// <summary>Fills a rectangle (clipped).</summary>
    public void FillRect(int x, int y, int w, int h, (byte R, byte G, byte B) c)
    {
        for (int yy = Math.Max(0, y); yy < Math.Min(Height, y + h); yy++)
            for (int xx = Math.Max(0, x); xx < Math.Min(Width, x + w); xx++) Set(xx, yy, c);
    }

    /// <summary>Draws a grayscale image (values in [0, 1], clamped; 1 = white) at (x, y), each pixel a scale × scale block.</summary>
    public void DrawGray(ReadOnlySpan<float> image, int imgW, int imgH, int x, int y, int scale)
    {
        for (int r = 0; r < imgH; r++)
            for (int c = 0; c < imgW; c++)
            {
                byte v = (byte)Math.Round(Math.Clamp(image[r * imgW + c], 0f, 1f) * 255f);
                FillRect(x + c * scale, y + r * scale, scale, scale, (v, v, v));
            }
    }

    /// <summary>Draws <paramref name="text"/> in the built-in 5×7 font with its top-left at (x, y), each font pixel scale × scale.</summary>
    public void DrawText(string text, int x, int y, (byte R, byte G, byte B) color, int scale = 2)
    {
        for (int k = 0; k < text.Length; k++)
            for (int r = 0; r < BitmapFont.Height; r++)
                for (int c = 0; c < BitmapFont.Width; c++)
                    if (BitmapFont.Pixel(text[k], r, c))
                        FillRect(x + (k * BitmapFont.Advance + c) * scale, y + r * scale, scale, scale, color);
    }

    /// <summary>Width in pixels of <paramref name="text"/> drawn at <paramref name="scale"/>.</summary>
    public static int TextWidth(string text, int scale = 2) => BitmapFont.MeasureWidth(text) * scale;

    /// <summary>Height in pixels of one line of text at <paramref name="scale"/>.</summary>
    public static int TextHeight(int scale = 2) => BitmapFont.Height * scale;

    /// <summary>Encodes the canvas as PNG.</summary>
    public byte[] ToPng() => Png.EncodeRgb(_rgb, Width, Height);

    /// <summary>Writes the canvas as a PNG file.</summary>
    public void SavePng(string path) => File.WriteAllBytes(path, ToPng());
}
