// Tests of the DataLoader: batch counts, seeded order independent of prefetch/workers, collation, buffer reuse, errors.
namespace Mtl.Data.Tests;

public class DataLoaderTests
{
    private static List<int[]> Orders(DataLoader loader, int epoch) => loader.Epoch(epoch).Select(b => b.Indices.ToArray()).ToList();

    [Theory]
    [InlineData(10, 3, false, 4, 1)]
    [InlineData(10, 3, true, 3, 3)]
    [InlineData(9, 3, false, 3, 3)]
    [InlineData(9, 3, true, 3, 3)]
    [InlineData(2, 5, false, 1, 2)]
    [InlineData(2, 5, true, 0, 0)]
    [InlineData(0, 4, false, 0, 0)]
    public void BatchCountsAndDropLast(int n, int batch, bool dropLast, int expectedBatches, int lastSize)
    {
        foreach (int prefetch in new[] { 0, 2 })
        {
            using var loader = new DataLoader(ImageTestData.Numbered(n), new DataLoaderOptions { BatchSize = batch, DropLast = dropLast, Prefetch = prefetch });
            Assert.Equal(expectedBatches, loader.BatchesPerEpoch);
            var sizes = loader.Epoch(0).Select(b => b.Size).ToList();
            Assert.Equal(expectedBatches, sizes.Count);
            if (expectedBatches > 0)
            {
                Assert.Equal(lastSize, sizes[^1]);
                Assert.All(sizes.Take(sizes.Count - 1), s => Assert.Equal(batch, s));
            }
            Assert.Equal(dropLast ? expectedBatches * batch : n, loader.SamplesPerEpoch);
        }
    }

    [Fact]
    public void OrderAndContentDoNotDependOnPrefetchOrWorkers()
    {
        var ds = ImageTestData.Numbered(103);
        List<(int[] Idx, float[] X, int[] Y, float[] V, float[] M)> Run(int prefetch, int workers, int epoch)
        {
            using var loader = new DataLoader(ds, new DataLoaderOptions { BatchSize = 8, Shuffle = true, Seed = 42, Prefetch = prefetch, Workers = workers });
            return loader.Epoch(epoch).Select(b => (b.Indices.ToArray(), b.Input.ToArray<float>(), b.Targets["cls"].ToArray<int>(),
                b.Targets["vec"].ToArray<float>(), b.Masks["vec"].ToArray<float>())).ToList();
        }
        foreach (int epoch in new[] { 0, 3 })
        {
            var reference = Run(0, 1, epoch);
            foreach (var (p, w) in new[] { (1, 1), (2, 1), (4, 3), (16, 2), (3, 8) })
            {
                var other = Run(p, w, epoch);
                Assert.Equal(reference.Count, other.Count);
                for (int k = 0; k < reference.Count; k++)
                {
                    Assert.Equal(reference[k].Idx, other[k].Idx);
                    Assert.Equal(reference[k].X, other[k].X);
                    Assert.Equal(reference[k].Y, other[k].Y);
                    Assert.Equal(reference[k].V, other[k].V);
                    Assert.Equal(reference[k].M, other[k].M);
                }
            }
        }
    }

    [Fact]
    public void ShuffleIsAPermutationThatDependsOnSeedAndEpoch()
    {
        var ds = ImageTestData.Numbered(50);
        using var a = new DataLoader(ds, new DataLoaderOptions { BatchSize = 7, Shuffle = true, Seed = 1, Prefetch = 0 });
        using var b = new DataLoader(ds, new DataLoaderOptions { BatchSize = 7, Shuffle = true, Seed = 2, Prefetch = 0 });
        var e0 = Orders(a, 0).SelectMany(x => x).ToArray();
        Assert.Equal(Enumerable.Range(0, 50), e0.Order());
        Assert.Equal(a.EpochOrder(0), e0);
        Assert.Equal(e0, Orders(a, 0).SelectMany(x => x));                // same epoch: same order
        Assert.NotEqual(e0, Orders(a, 1).SelectMany(x => x).ToArray());    // next epoch: another order
        Assert.NotEqual(e0, Orders(b, 0).SelectMany(x => x).ToArray());    // other seed: another order
        Assert.NotEqual(e0, Enumerable.Range(0, 50).ToArray());
        Assert.Equal(new Generator(DataLoader.EpochSeed(1, 5)).NextUInt64(), new Generator(DataLoader.EpochSeed(1, 5)).NextUInt64());
        Assert.NotEqual(DataLoader.EpochSeed(1, 0), DataLoader.EpochSeed(0, 1));

        using var plain = new DataLoader(ds, new DataLoaderOptions { BatchSize = 7, Prefetch = 2 });
        Assert.Equal(Enumerable.Range(0, 50), Orders(plain, 4).SelectMany(x => x));
    }

    [Fact]
    public void CollatesInputsTargetsAndMasks()
    {
        var ds = ImageTestData.Numbered(5);
        using var loader = new DataLoader(ds, new DataLoaderOptions { BatchSize = 4, Prefetch = 1 });
        var batches = loader.Epoch(0).Select(b => b.CopyUnscoped()).ToList();
        var b0 = batches[0];
        Assert.Equal([4, 1, 2, 3], b0.Input.Shape.ToArray());
        Assert.Equal(DType.Float32, b0.Input.DType);
        Assert.Equal(3000f, b0.Input.ToArray<float>()[3 * 6]);
        Assert.Equal(DType.Int32, b0.Targets["cls"].DType);
        Assert.Equal([0, 1, 2, 3], b0.Targets["cls"].ToArray<int>());
        Assert.Equal([4, 2], b0.Targets["vec"].Shape.ToArray());
        Assert.Equal([0f, 0, 1, -1, 2, -2, 0, 0], b0.Targets["vec"].ToArray<float>()); // samples 0 and 3 lack "vec": zeros
        Assert.Equal([0f, 1, 1, 0], b0.Masks["vec"].ToArray<float>());
        Assert.Equal([1f, 1, 1, 1], b0.Masks["cls"].ToArray<float>());
        Assert.Null(b0.Lengths);
        var b1 = batches[1];
        Assert.Equal(1, b1.Size);
        Assert.Equal([1, 1, 2, 3], b1.Input.Shape.ToArray());
        Assert.Equal(4000f, b1.Input.ToArray<float>()[0]);
        Assert.Equal([1], b1.Masks["cls"].Shape.ToArray());
    }

    [Fact]
    public void PadsTokenSequencesAndReportsLengths()
    {
        var ds = new RaggedTokens(); // writes garbage past each length; the loader must pad with 0
        using var loader = new DataLoader(ds, new DataLoaderOptions { BatchSize = 3, Prefetch = 0 });
        var b = loader.Epoch(0).Single();
        Assert.Equal([3, 4], b.Input.Shape.ToArray());
        Assert.Equal([1, 0, 0, 0, 2, 2, 0, 0, 3, 3, 3, 3], b.Input.ToArray<int>());
        Assert.Equal([1, 2, 4], b.Lengths!.ToArray<int>());
        Assert.Equal([0, 0, 1], b.Targets["t"].ToArray<int>());
    }

    [Fact]
    public void ReusesOneRingOfBuffersAndAllocatesNothingPerBatch()
    {
        var ds = ImageTestData.Numbered(64);
        using var loader = new DataLoader(ds, new DataLoaderOptions { BatchSize = 4, Shuffle = true, Prefetch = 0, KeepBatches = 2 });
        var inputs = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var b in loader.Epoch(0)) inputs.Add(b.Input);
        Assert.Equal(2, inputs.Count);                                    // ring of Prefetch + KeepBatches = 2 slots
        foreach (var b in loader.Epoch(1)) Assert.Contains(b.Input, inputs);

        using var e = loader.Epoch(2).GetEnumerator();
        Assert.True(e.MoveNext());                                        // first batch: JIT, enumerator set-up done
        long before = GC.GetAllocatedBytesForCurrentThread();
        int count = 0;
        while (e.MoveNext()) count++;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(15, count);
        Assert.True(allocated < 1024, $"steady iteration allocated {allocated} bytes for 15 batches");
    }

    [Fact]
    public void YieldedBatchStaysValidForKeepBatches()
    {
        var ds = ImageTestData.Numbered(40);
        foreach (int keep in new[] { 1, 3 })
        {
            using var loader = new DataLoader(ds, new DataLoaderOptions { BatchSize = 2, Prefetch = 3, Workers = 2, KeepBatches = keep });
            var held = new Queue<(MultiTaskBatch B, int First)>();
            foreach (var b in loader.Epoch(0))
            {
                held.Enqueue((b, b.Indices[0]));
                if (held.Count > keep) held.Dequeue();
                Thread.Sleep(1); // let the workers run ahead as far as they may
                foreach (var (old, first) in held)
                {
                    Assert.Equal(first, old.Indices[0]);
                    Assert.Equal(1000f * first, old.Input.ToArray<float>()[0]);
                }
            }
        }
    }

    [Fact]
    public void WorkerExceptionSurfacesWithOriginalMessageAfterEarlierBatches()
    {
        var ds = new FailingDataset(20, failAt: 13);
        foreach (var (prefetch, workers) in new[] { (0, 1), (2, 1), (4, 3) })
        {
            using var loader = new DataLoader(ds, new DataLoaderOptions { BatchSize = 4, Prefetch = prefetch, Workers = workers });
            var seen = new List<int>();
            var e = Assert.Throws<InvalidDataException>(() => { foreach (var b in loader.Epoch(0)) seen.Add(b.Indices[0]); });
            Assert.Equal("sample 13 is broken", e.Message);
            Assert.Equal([0, 4, 8], seen);                                 // the batches before the failing one arrive
            Assert.Equal(4, loader.Epoch(1).Take(1).Single().Size); // the loader is usable again after the failure
        }
    }

    [Fact]
    public void CancellationAndEarlyExitStopTheWorkers()
    {
        var ds = ImageTestData.Numbered(400);
        using var loader = new DataLoader(ds, new DataLoaderOptions { BatchSize = 4, Prefetch = 4, Workers = 2 });
        using var cts = new CancellationTokenSource();
        int n = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var _ in loader.Epoch(0, cts.Token)) if (++n == 3) cts.Cancel();
        });
        Assert.Equal(3, n);
        Assert.Equal(2, loader.Epoch(1).Take(2).Count());                 // leaving a foreach early disposes the run
        Assert.Equal(100, loader.Epoch(2).Count());
    }

    [Fact]
    public void OneEpochAtATimeAndValidation()
    {
        var ds = ImageTestData.Numbered(10);
        var loader = new DataLoader(ds, new DataLoaderOptions { BatchSize = 2, Prefetch = 1 });
        using (var first = loader.Epoch(0).GetEnumerator())
        {
            Assert.True(first.MoveNext());
            var e = Assert.Throws<InvalidOperationException>(() => loader.Epoch(1).GetEnumerator());
            Assert.Contains("epoch 0 is still being iterated", e.Message);
        }
        Assert.Equal(5, loader.Epoch(1).Count());
        loader.Dispose();
        Assert.Throws<ObjectDisposedException>(() => loader.Epoch(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(ds, new DataLoaderOptions { BatchSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(ds, new DataLoaderOptions { Prefetch = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(ds, new DataLoaderOptions { Workers = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(ds, new DataLoaderOptions { KeepBatches = 0 }));
    }

    [Fact]
    public void DatasetLabelOutsideClassesIsReportedWithTaskAndSample()
    {
        var ds = new FailingDataset(8, failAt: -1, badLabelAt: 5);
        using var loader = new DataLoader(ds, new DataLoaderOptions { BatchSize = 4, Prefetch = 2 });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => loader.Epoch(0).Count());
        Assert.Contains("task 'y' sample 5 has label 7", e.Message);
        Assert.Contains("NumClasses = 3", e.Message);
    }

    [Fact]
    public void DisposedBatchVersionGuardsSavedTensors()
    {
        var ds = ImageTestData.Numbered(8);
        using var loader = new DataLoader(ds, new DataLoaderOptions { BatchSize = 2, Prefetch = 0 });
        using var e = loader.Epoch(0).GetEnumerator();
        e.MoveNext();
        var first = e.Current.Input;
        int v0 = first.Storage.Version;
        e.MoveNext();
        e.MoveNext();                                                     // slot of batch 0 rewritten
        Assert.NotEqual(v0, first.Storage.Version);
    }

    /// <summary>Three token sequences whose ReadTokens leaves junk past the length.</summary>
    private sealed class RaggedTokens : IMultiTaskDataset
    {
        public int Count => 3;
        public InputInfo Input { get; } = new([4], DType.Int32, true);
        public IReadOnlyList<TaskLabels> Tasks { get; } = [new TaskLabels("t", LabelKind.ClassIndex, 2)];
        public int ReadInput(int index, Span<float> destination) => throw new NotSupportedException();
        public int ReadTokens(int index, Span<int> destination)
        {
            destination.Fill(99);
            int len = index == 2 ? 4 : index + 1;
            destination[..len].Fill(index + 1);
            return len;
        }
        public bool ReadLabel(int index, int task, Span<float> destination) { destination[0] = index / 2; return true; }
    }

    /// <summary>Samples of shape (1) whose read throws at one index, or whose label is out of range at another.</summary>
    private sealed class FailingDataset(int n, int failAt, int badLabelAt = -1) : IMultiTaskDataset
    {
        public int Count => n;
        public InputInfo Input { get; } = new([1], DType.Float32);
        public IReadOnlyList<TaskLabels> Tasks { get; } = [new TaskLabels("y", LabelKind.ClassIndex, 3)];
        public int ReadInput(int index, Span<float> destination)
        {
            if (index == failAt) throw new InvalidDataException($"sample {index} is broken");
            destination[0] = index;
            return 1;
        }
        public int ReadTokens(int index, Span<int> destination) => throw new NotSupportedException();
        public bool ReadLabel(int index, int task, Span<float> destination) { destination[0] = index == badLabelAt ? 7 : index % 3; return true; }
    }
}
