package io.lb.balancer;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import io.lb.config.BackendSpec;

/**
 * One backend and its live state. The active count is the number of exchanges in flight to it; it moves only
 * through {@link Lease}, which guarantees one increment and exactly one decrement per exchange.
 */
public final class Backend {

    private final BackendSpec spec;
    private final AtomicInteger active = new AtomicInteger();
    private final LongAdder requests = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final AtomicReference<BackendState> state = new AtomicReference<>(BackendState.UP);
    private volatile int weight;
    private volatile boolean draining;
    private volatile long upSinceNanos = System.nanoTime();
    private volatile CheckResult lastCheck;
    /** Run when the active count drops to zero; set only while the backend is being retired. */
    private volatile Runnable idleListener;

    public Backend(BackendSpec spec) {
        this.spec = spec;
        this.weight = spec.weight();
    }

    /** Stable identity, also used as the {@code backend} metric tag: the URL. */
    public String id() {
        return spec.url();
    }

    public BackendSpec spec() {
        return spec;
    }

    public int activeConnections() {
        return active.get();
    }

    public int weight() {
        return weight;
    }

    public void weight(int newWeight) {
        if (newWeight < 1) {
            throw new IllegalArgumentException("weight must be a positive integer, was " + newWeight);
        }
        this.weight = newWeight;
    }

    public boolean draining() {
        return draining;
    }

    public void draining(boolean draining) {
        this.draining = draining;
    }

    /** May new exchanges be sent here? */
    public boolean acceptsTraffic() {
        return state.get() == BackendState.UP && !draining;
    }

    public BackendState state() {
        return state.get();
    }

    /** Moves to {@code next}; true only for the caller that made the change, so it is reported once. */
    public boolean transitionTo(BackendState next) {
        if (state.getAndSet(next) == next) {
            return false;
        }
        if (next == BackendState.UP) {
            upSinceNanos = System.nanoTime();
        }
        return true;
    }

    /** {@link System#nanoTime()} when the backend was added or last came UP (for slow start). */
    public long upSinceNanos() {
        return upSinceNanos;
    }

    /** The latest active health check, or null before the first one. */
    public CheckResult lastCheck() {
        return lastCheck;
    }

    public void lastCheck(CheckResult result) {
        this.lastCheck = result;
    }

    public long requestCount() {
        return requests.sum();
    }

    public long failureCount() {
        return failures.sum();
    }

    /** Starts an exchange with this backend. The caller must end it through the returned lease. */
    public Lease lease() {
        active.incrementAndGet();
        requests.increment();
        return new Lease(this);
    }

    void release() {
        if (active.decrementAndGet() == 0) {
            Runnable listener = idleListener;
            if (listener != null) {
                listener.run();
            }
        }
    }

    /** See {@link BackendPool#retire(String)}. */
    void idleListener(Runnable listener) {
        this.idleListener = listener;
    }

    void recordFailure() {
        failures.increment();
    }

    @Override
    public String toString() {
        return id();
    }
}
