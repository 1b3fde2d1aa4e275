package io.lb.balancer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import io.lb.config.BackendSpec;
import io.lb.config.LbConfigs;

/**
 * The balancer's per-request selection work under contention: {@link BackendPool#choose} (the pool's
 * {@link LeastConnections} strategy over its candidates) plus {@link Backend#lease()} and {@link Lease#release()},
 * from several threads sharing one pool, so the atomic active counts of the backends are contended exactly as on
 * event loops. Subclasses fix the thread count ({@link Threads2}, {@link Threads4}); the pool size is a parameter.
 *
 * <p>Run: {@code ./mvnw -B -Pjmh test-compile exec:exec} (see docs/benchmarks.md).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public abstract class LeastConnectionsBenchmark {

    @State(Scope.Benchmark)
    public static class Pool {
        @Param({ "3", "30" })
        public int backends;

        BackendPool pool;

        @Setup
        public void setUp() {
            pool = new BackendPool(LbConfigs.defaultPool(), event -> {
            });
            for (int i = 0; i < backends; i++) {
                pool.add(new BackendSpec("http", "127.0.0.1", 20_000 + i, 1));
            }
        }
    }

    /** Leases a thread keeps in flight, so the active counts are not all zero (a busy proxy's state). */
    @State(Scope.Thread)
    public static class InFlight {
        static final int DEPTH = 16;
        final Lease[] ring = new Lease[DEPTH];
        int next;

        @TearDown(Level.Iteration)
        public void releaseAll() {
            for (int i = 0; i < DEPTH; i++) {
                if (ring[i] != null) {
                    ring[i].release();
                    ring[i] = null;
                }
            }
        }
    }

    /** The bare cycle on an otherwise idle pool: every pick is a tie, broken at random. */
    @Benchmark
    public boolean chooseLeaseRelease(Pool state) {
        Lease lease = state.pool.choose(backend -> false).lease();
        return lease.release();
    }

    /** The cycle with 16 exchanges per thread in flight: choose, lease, and release the oldest exchange. */
    @Benchmark
    public Lease chooseWithLeasesInFlight(Pool state, InFlight inFlight) {
        Lease lease = state.pool.choose(backend -> false).lease();
        int slot = inFlight.next;
        Lease oldest = inFlight.ring[slot];
        if (oldest != null) {
            oldest.release();
        }
        inFlight.ring[slot] = lease;
        inFlight.next = (slot + 1) % InFlight.DEPTH;
        return lease;
    }

    /** As the proxy calls it: with the list of backends already tried as the exclusion predicate. */
    @Benchmark
    public boolean chooseAsProxyDoes(Pool state) {
        List<Backend> tried = new ArrayList<>(2);
        Backend backend = state.pool.choose(tried::contains);
        tried.add(backend);
        return backend.lease().release();
    }

    @org.openjdk.jmh.annotations.Threads(2)
    public static class Threads2 extends LeastConnectionsBenchmark {
    }

    @org.openjdk.jmh.annotations.Threads(4)
    public static class Threads4 extends LeastConnectionsBenchmark {
    }
}
