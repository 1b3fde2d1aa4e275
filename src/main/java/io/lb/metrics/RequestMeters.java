package io.lb.metrics;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lb.proxy.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The request counter and latency histogram of one route and backend (or of "none"). Counters are looked up once
 * per status class and outcome and then kept, so recording a request costs two array reads and two increments.
 */
final class RequestMeters {

    private static final String[] STATUS_CLASSES = { "none", "1xx", "2xx", "3xx", "4xx", "5xx" };
    private static final Outcome[] OUTCOMES = Outcome.values();
    private static final Duration[] BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30) };

    private final MeterRegistry registry;
    private final Tags tags;
    private final Timer duration;
    private final Counter[][] requests = new Counter[STATUS_CLASSES.length][OUTCOMES.length];
    /** Set when the backend leaves the pool: an exchange still ending on another event loop registers nothing. */
    private volatile boolean closed;

    /** {@code tags}: pool, route and backend. */
    RequestMeters(MeterRegistry registry, Tags tags) {
        this.registry = registry;
        this.tags = tags;
        this.duration = Timer.builder("lb.request.duration")
                .description("Time from a request's arrival to the end of its response")
                .tags(tags)
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
    }

    /**
     * Registers, at 0, the counters for the ways a request commonly ends here ({@code status} a status code of the
     * class, e.g. 200 for 2xx), so that rates and ratios over them exist before the first such request.
     */
    RequestMeters withZeroes(Outcome outcome, int... statuses) {
        for (int status : statuses) {
            counter(statusClass(status), outcome);
        }
        return this;
    }

    void record(int status, Outcome outcome, long nanos) {
        Counter counter = requests[statusClass(status)][outcome.ordinal()];
        if (counter == null) {
            counter = counter(statusClass(status), outcome);
            if (counter == null) {
                return;
            }
        }
        counter.increment();
        duration.record(nanos, TimeUnit.NANOSECONDS);
    }

    private static int statusClass(int status) {
        return status >= 100 && status < 600 ? status / 100 : 0;
    }

    private synchronized Counter counter(int statusClass, Outcome outcome) {
        Counter counter = requests[statusClass][outcome.ordinal()];
        if (counter == null && !closed) {
            counter = Counter.builder("lb.requests")
                    .description("Client requests by route, the backend that served them, status class and outcome")
                    .tags(tags)
                    .tag("status_class", STATUS_CLASSES[statusClass])
                    .tag("outcome", outcome.tag())
                    .register(registry);
            requests[statusClass][outcome.ordinal()] = counter;
        }
        return counter;
    }

    void close() {
        closed = true;
    }
}
