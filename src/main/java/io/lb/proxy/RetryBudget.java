package io.lb.proxy;

import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Singleton;
import jakarta.inject.Inject;

import io.lb.config.LbConfig;

/**
 * Caps retries in flight at a share of requests in flight (Envoy's retry budget), so that when every backend
 * is failing, retries cannot multiply the load that is already hurting them.
 */
@Singleton
public class RetryBudget {

    private final AtomicInteger requestsInFlight = new AtomicInteger();
    private final AtomicInteger retriesInFlight = new AtomicInteger();
    private final double ratio;
    private final int minConcurrent;

    @Inject
    public RetryBudget(LbConfig config) {
        this.ratio = config.retry().budget().ratio();
        this.minConcurrent = config.retry().budget().minConcurrent();
    }

    void requestStarted() {
        requestsInFlight.incrementAndGet();
    }

    void requestEnded() {
        requestsInFlight.decrementAndGet();
    }

    /** Takes a retry token if the budget allows; the caller must {@link #retryEnded()} it. */
    boolean tryStartRetry() {
        int allowed = Math.max(minConcurrent, (int) (requestsInFlight.get() * ratio));
        while (true) {
            int current = retriesInFlight.get();
            if (current >= allowed) {
                return false;
            }
            if (retriesInFlight.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    void retryEnded() {
        retriesInFlight.decrementAndGet();
    }

    public int requestsInFlight() {
        return requestsInFlight.get();
    }

    public int retriesInFlight() {
        return retriesInFlight.get();
    }
}
