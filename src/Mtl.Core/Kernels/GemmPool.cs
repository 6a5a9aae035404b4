// Persistent GEMM worker threads (spin, then sleep) that share a call's chunks with the calling thread.
using System.Diagnostics;

namespace Mtl.Kernels;

/// <summary>One parallel piece of work: chunks 0..count-1, any of which may run on any participating thread.</summary>
internal abstract class GemmJob
{
    public abstract void RunChunk(int chunk);
}

/// <summary>
/// A pool of persistent workers used by one GEMM call at a time. The caller publishes a job and a chunk count, wakes the
/// workers it wants (at most threads − 1), and then all of them claim chunks from a counter tagged with the call's
/// generation, so a worker that wakes late can never run a chunk of a finished call. Which thread runs which chunk
/// varies, so chunks must not change any element's arithmetic. Workers spin for <see cref="SpinMicroseconds"/> after
/// their last chunk (so back-to-back calls start at once), then sleep on a monitor.
/// </summary>
internal static class GemmPool
{
    /// <summary>How long an idle worker spins before sleeping.</summary>
    internal static int SpinMicroseconds = 200;

    private static readonly object Gate = new();
    private static readonly List<Worker> Workers = [];
    private static GemmJob? _job;
    private static int _chunks;
    private static long _state; // generation << 32 | next unclaimed chunk
    private static int _done;
    private static int _generation;
    private static bool _running;

    /// <summary>Takes the pool for one call; false if another call holds it (then run everything on this thread).</summary>
    /// <remarks>
    /// The pool is refused while a parallel <see cref="Mtl.Threading.MtlThreads.For"/> runs (its threads are busy with
    /// its chunks) and to a nested call on the thread that already runs a pool call.
    /// </remarks>
    public static bool TryEnter()
    {
        if (Mtl.Threading.MtlThreads.ParallelForRunning || !Monitor.TryEnter(Gate)) return false;
        if (!_running) return true;
        Monitor.Exit(Gate); // re-entered from a chunk of this thread's own call
        return false;
    }

    /// <summary>Gives the pool back after <see cref="Run"/>.</summary>
    public static void Exit() => Monitor.Exit(Gate);

    /// <summary>
    /// Runs chunks 0..chunks-1 of <paramref name="job"/> on the calling thread and <paramref name="helpers"/> workers.
    /// The caller must hold the pool (<see cref="TryEnter"/>).
    /// </summary>
    public static void Run(GemmJob job, int chunks, int helpers)
    {
        helpers = Math.Min(helpers, chunks - 1);
        while (Workers.Count < helpers) Workers.Add(new Worker(Workers.Count));
        _running = true;
        _job = job;
        _chunks = chunks;
        Volatile.Write(ref _done, 0);
        int gen = ++_generation;
        Interlocked.Exchange(ref _state, (long)gen << 32);
        for (int i = 0; i < helpers; i++) Workers[i].Wake(gen);
        Participate(gen);
        // The last chunks are in flight on workers: spin without yielding (a yielded caller can lose its core to
        // another process for a scheduler tick) for up to 2 ms, then politely.
        long start = Stopwatch.GetTimestamp(), patience = Stopwatch.Frequency / 500;
        var spin = new SpinWait();
        while (Volatile.Read(ref _done) < chunks)
        {
            if (Stopwatch.GetTimestamp() - start < patience) Thread.SpinWait(8);
            else spin.SpinOnce(sleep1Threshold: -1);
        }
        _job = null;
        _running = false;
    }

    /// <summary>Claims and runs chunks of generation <paramref name="gen"/> until none is left.</summary>
    private static void Participate(int gen)
    {
        while (true)
        {
            long s = Volatile.Read(ref _state);
            if ((int)(s >> 32) != gen) return;
            int next = (int)s;
            if (next >= Volatile.Read(ref _chunks)) return;
            if (Interlocked.CompareExchange(ref _state, s + 1, s) != s) continue;
            // The claim succeeded, so this generation cannot finish (nor its job be replaced) before this chunk is done.
            _job!.RunChunk(next);
            Interlocked.Increment(ref _done);
        }
    }

    private sealed class Worker
    {
        private readonly object _lock = new();
        private int _wake;
        private int _sleeping;
        private int _gen;

        public Worker(int index)
        {
            var t = new Thread(Loop) { IsBackground = true, Name = $"Mtl GEMM worker {index + 1}" };
            t.Start();
        }

        /// <summary>Asks this worker to help with generation <paramref name="gen"/>.</summary>
        public void Wake(int gen)
        {
            Volatile.Write(ref _gen, gen);
            Interlocked.Increment(ref _wake);
            if (Volatile.Read(ref _sleeping) != 0)
                lock (_lock) Monitor.Pulse(_lock);
        }

        private void Loop()
        {
            int seen = 0;
            while (true)
            {
                long spinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;
                long start = Stopwatch.GetTimestamp();
                int spins = 0;
                while (Volatile.Read(ref _wake) == seen)
                {
                    if (++spins < 64 || Stopwatch.GetTimestamp() - start < spinTicks)
                    {
                        Thread.SpinWait(20);
                        continue;
                    }
                    lock (_lock)
                    {
                        Interlocked.Exchange(ref _sleeping, 1);
                        while (Volatile.Read(ref _wake) == seen) Monitor.Wait(_lock);
                        Volatile.Write(ref _sleeping, 0);
                    }
                }
                seen = Volatile.Read(ref _wake);
                Participate(Volatile.Read(ref _gen));
            }
        }
    }
}
