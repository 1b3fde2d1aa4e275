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
    /** DOWN, but its latest active probe passed: on its way UP (see {@link #acceptsTrafficInPanic()}). */
    private volatile boolean rising;
    private volatile long upSinceNanos = System.nanoTime();
    private volatile CheckResult lastCheck;
    /** Run when the active count drops to zero; set only while the backend is being retired. */
    private volatile Runnable idleListener;
    /** Run when the backend starts or stops accepting traffic (its pool's panic state depends on it). */
    private volatile Runnable eligibilityListener;
    private final LatencyEstimate latency = new LatencyEstimate();
    private final AtomicInteger consecutiveErrors = new AtomicInteger();
    private volatile boolean ejected;
    private volatile long ejectedUntilNanos;
    private int ejections;
    private long lastEjectionEndNanos;

    public Backend(BackendSpec spec) {
        this.spec = spec;
        this.weight = spec.weight();
    }

    /** Stable identity within its pool, also used as the {@code backend} metric tag: the URL. */
    public String id() {
        return spec.url();
    }

    /** The name of the pool the backend belongs to (the {@code pool} metric tag). */
    public String pool() {
        return spec.pool();
    }

    public BackendSpec spec() {
        return spec;
    }

    /** Response latency estimate, kept only when the latency-aware strategy is on. */
    public LatencyEstimate latency() {
        return latency;
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
        boolean was = this.draining;
        this.draining = draining;
        if (was != draining) {
            eligibilityChanged();
        }
    }

    /** May new exchanges be sent here? Hot path: volatile reads only (and a clock read while ejected). */
    public boolean acceptsTraffic() {
        return state.get() == BackendState.UP && !draining && !ejected();
    }

    /** Would the backend accept traffic if outlier ejection were ignored? */
    public boolean acceptsTrafficIgnoringEjection() {
        return state.get() == BackendState.UP && !draining;
    }

    /**
     * May the backend take traffic while its pool is in panic? If it is UP, ejected or not; or if it is DOWN but
     * rising: its latest probe passed and it waits only for the rest of {@code lb.health.rise}. When the
     * alternative is the balancer's own 503, a backend that just answered a probe is worth a try.
     */
    public boolean acceptsTrafficInPanic() {
        return !draining && (state.get() == BackendState.UP || rising);
    }

    /** Is the backend DOWN with a passing latest probe? */
    public boolean rising() {
        return rising;
    }

    /** Set by active health checking: the latest probe of a DOWN backend passed ({@code true}) or failed. */
    public void rising(boolean rising) {
        this.rising = rising && state.get() == BackendState.DOWN;
    }

    /**
     * Is the backend ejected by outlier detection right now? An ejection ends by itself when its time is up,
     * without waiting for anyone to call {@link #endEjection(long)}.
     */
    public boolean ejected() {
        return ejected && System.nanoTime() - ejectedUntilNanos < 0;
    }

    /** {@link System#nanoTime()} at which the current (or last) ejection ends. */
    public long ejectedUntilNanos() {
        return ejectedUntilNanos;
    }

    /** Ejects the backend until {@code untilNanos}; counts the ejection. */
    public void eject(long untilNanos) {
        synchronized (this) {
            ejections++;
            ejectedUntilNanos = untilNanos;
            ejected = true;
            consecutiveErrors.set(0);
        }
        eligibilityChanged();
    }

    /**
     * Clears the ejection that was set to end at {@code untilNanos} (a later ejection is left alone); true only
     * for the caller that cleared it, so that the return is reported once.
     */
    public boolean endEjection(long untilNanos) {
        synchronized (this) {
            if (!ejected || ejectedUntilNanos != untilNanos) {
                return false;
            }
            ejected = false;
            lastEjectionEndNanos = System.nanoTime();
            consecutiveErrors.set(0);
        }
        eligibilityChanged();
        return true;
    }

    /** How many times the backend has been ejected (the ejection time multiplier). */
    public synchronized int ejections() {
        return ejections;
    }

    /** Forgets past ejections (after a long enough time without one). */
    public synchronized void resetEjections() {
        ejections = 0;
    }

    /** {@link System#nanoTime()} when the last ejection ended, 0 if never. */
    public synchronized long lastEjectionEndNanos() {
        return lastEjectionEndNanos;
    }

    /** Counts one more consecutive error (5xx or gateway error) and returns the run's length. */
    public int recordConsecutiveError() {
        return consecutiveErrors.incrementAndGet();
    }

    /** A good answer ends the run of errors. Writes only when there was a run, to keep the cache line shared. */
    public void clearConsecutiveErrors() {
        if (consecutiveErrors.get() != 0) {
            consecutiveErrors.set(0);
        }
    }

    public int consecutiveErrors() {
        return consecutiveErrors.get();
    }

    public BackendState state() {
        return state.get();
    }

    /** Moves to {@code next}; true only for the caller that made the change, so it is reported once. */
    public boolean transitionTo(BackendState next) {
        if (state.getAndSet(next) == next) {
            return false;
        }
        rising = false;
        if (next == BackendState.UP) {
            upSinceNanos = System.nanoTime();
        }
        eligibilityChanged();
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

    /** See {@link BackendPool}'s panic state. */
    void eligibilityListener(Runnable listener) {
        this.eligibilityListener = listener;
    }

    private void eligibilityChanged() {
        Runnable listener = eligibilityListener;
        if (listener != null) {
            listener.run();
        }
    }

    void recordFailure() {
        failures.increment();
    }

    @Override
    public String toString() {
        return id();
    }
}
