package io.lb.proxy;

import java.util.List;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.balancer.PeakEwma;
import io.vertx.core.http.HttpServerRequest;

/**
 * The proxy's view of one pool: its backends and strategy, and the policies its exchanges follow (retries,
 * affinity, the per-try timeout). Made once per pool at startup.
 */
final class Upstream {

    private final BackendPool pool;
    private final RetryPolicy retry;
    /** Null when the pool has no affinity: the hot path tests one field. */
    private final StickySessions sticky;
    private final long responseTimeoutMillis;
    /** 0 unless the strategy reads latencies: then the peak-EWMA time constant. */
    private final double latencyDecayNanos;

    Upstream(BackendPool pool) {
        this.pool = pool;
        this.retry = new RetryPolicy(pool.settings().retry());
        this.sticky = StickySessions.of(pool);
        this.responseTimeoutMillis = pool.settings().responseTimeout().toMillis();
        this.latencyDecayNanos = pool.strategy() instanceof PeakEwma ewma ? ewma.tauNanos() : 0;
    }

    BackendPool pool() {
        return pool;
    }

    String name() {
        return pool.name();
    }

    RetryPolicy retry() {
        return retry;
    }

    long responseTimeoutMillis() {
        return responseTimeoutMillis;
    }

    /** The affinity token the client sent, or null (always null when the pool has no affinity). */
    String stickyToken(HttpServerRequest request) {
        return sticky == null ? null : sticky.requestedToken(request);
    }

    /**
     * The backend for the next try: on a first try the client's sticky backend if it can take traffic, otherwise
     * the strategy's choice among the backends not yet tried.
     */
    Backend choose(String stickyToken, List<Backend> tried) {
        if (stickyToken != null && tried.isEmpty()) {
            Backend stuck = sticky.backendFor(stickyToken);
            if (stuck != null) {
                return stuck;
            }
        }
        return pool.choose(tried::contains);
    }

    /** After a response head: gives the client its affinity cookie when it lacks the right one. */
    void stick(HttpServerRequest request, String stickyToken, Backend backend) {
        if (sticky != null) {
            sticky.stick(request, stickyToken, backend, request.response());
        }
    }

    /** Feeds the latency-aware strategy; a no-op (one branch) under least connections. */
    void recordLatency(Backend backend, long nanos) {
        if (latencyDecayNanos > 0) {
            backend.latency().observe(nanos, System.nanoTime(), latencyDecayNanos);
        }
    }
}
