package io.lb.metrics;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

/**
 * {@code lb_rejected_total{reason}}: what admission control turned away. Every reason's series exists from startup,
 * at 0, so that a rate over it is defined before the first rejection.
 */
@Startup
@Singleton
public class Rejections {

    static final String NAME = "lb.rejected";

    private final Counter queueFull;
    private final Counter requestHeaderTimeout;
    private final Counter requestBodyTimeout;
    private final Counter rateLimited;

    @Inject
    public Rejections(MeterRegistry registry) {
        this.queueFull = counter(registry, "queue_full");
        this.requestHeaderTimeout = counter(registry, "request_header_timeout");
        this.requestBodyTimeout = counter(registry, "request_body_timeout");
        this.rateLimited = counter(registry, "rate_limited");
    }

    /** A try found the backend's line for a connection full; it went elsewhere or ended in a 503. */
    public void queueFull() {
        queueFull.increment();
    }

    /** A client connection was closed for not sending a complete request head within lb.timeout.request-header. */
    public void requestHeaderTimeout() {
        requestHeaderTimeout.increment();
    }

    /** A client stopped sending its request body for lb.timeout.request-body-idle. */
    public void requestBodyTimeout() {
        requestBodyTimeout.increment();
    }

    /** A route's rate limit turned a request away with 429. */
    public void rateLimited() {
        rateLimited.increment();
    }

    private static Counter counter(MeterRegistry registry, String reason) {
        return Counter.builder(NAME)
                .description("Requests and connections turned away by admission control")
                .tag("reason", reason)
                .register(registry);
    }
}
