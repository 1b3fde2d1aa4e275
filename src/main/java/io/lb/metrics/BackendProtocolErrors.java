package io.lb.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendEvent;
import io.lb.client.ProtocolErrorListener;
import io.lb.client.ProtocolViolation;
import io.lb.config.BackendSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts backends' protocol violations in {@code lb_backend_protocol_errors_total{pool,backend,kind}} (every kind at 0
 * from the moment a backend joins, so that an alert can be written before the first incident) and logs one WARN
 * line per backend and kind at most every {@link #LOG_PERIOD_NANOS}, with how many were not logged since.
 */
@Singleton
public class BackendProtocolErrors implements ProtocolErrorListener {

    private static final Logger LOG = Logger.getLogger(BackendProtocolErrors.class);
    static final long LOG_PERIOD_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final int MAX_LOGGED = 200;
    private static final ProtocolViolation.Kind[] KINDS = ProtocolViolation.Kind.values();

    private final MeterRegistry registry;
    /** By pool and URL: the spec a connection was made for names both. */
    private final Map<BackendSpec, PerBackend> byBackend = new ConcurrentHashMap<>();

    /** One backend's counters and log throttles, indexed by kind. */
    private record PerBackend(Counter[] counters, AtomicLong[] lastLogged, AtomicLong[] suppressed) {
    }

    @Inject
    public BackendProtocolErrors(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void protocolError(BackendSpec backend, ProtocolViolation violation) {
        int kind = violation.kind().ordinal();
        PerBackend meters = byBackend.get(backend.withWeight(0));
        if (meters == null) {
            // the backend has left the pool: its series are gone and are not made again
            LOG.warnf("backend %s protocol error (%s): %s", backend.url(), violation.kind().label(),
                    printable(violation.getMessage()));
            return;
        }
        meters.counters()[kind].increment();
        long now = System.nanoTime();
        AtomicLong last = meters.lastLogged()[kind];
        long previous = last.get();
        if (previous != 0 && now - previous < LOG_PERIOD_NANOS || !last.compareAndSet(previous, now)) {
            meters.suppressed()[kind].incrementAndGet();
            return;
        }
        long notLogged = meters.suppressed()[kind].getAndSet(0);
        LOG.warnf("backend %s (pool %s) protocol error (%s): %s; connection closed%s", backend.url(), backend.pool(),
                violation.kind().label(), printable(violation.getMessage()),
                notLogged == 0 ? "" : " (" + notLogged + " more of this kind not logged)");
    }

    /**
     * The parser's message may quote the backend's bytes: control characters are escaped and the length capped, so
     * that a backend cannot forge log lines or flood the log.
     */
    static String printable(String message) {
        if (message == null) {
            return "";
        }
        StringBuilder text = new StringBuilder(Math.min(message.length(), MAX_LOGGED) + 16);
        for (int i = 0; i < message.length() && text.length() < MAX_LOGGED; i++) {
            char c = message.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                text.append(String.format("\\x%02x", (int) c));
            } else {
                text.append(c);
            }
        }
        return message.length() > MAX_LOGGED ? text.append("...").toString() : text.toString();
    }

    void onPoolChange(@Observes BackendEvent event) {
        Backend backend = event.backend();
        if (event.kind() == BackendEvent.Kind.ADDED) {
            Counter[] counters = new Counter[KINDS.length];
            AtomicLong[] lastLogged = new AtomicLong[KINDS.length];
            AtomicLong[] suppressed = new AtomicLong[KINDS.length];
            for (ProtocolViolation.Kind kind : KINDS) {
                counters[kind.ordinal()] = Counter.builder("lb.backend.protocol.errors")
                        .description("Responses or bytes from the backend that broke HTTP framing or grammar")
                        .tag(BackendMeters.POOL_TAG, backend.pool())
                        .tag(BackendMeters.TAG, backend.id())
                        .tag("kind", kind.label())
                        .register(registry);
                lastLogged[kind.ordinal()] = new AtomicLong();
                suppressed[kind.ordinal()] = new AtomicLong();
            }
            byBackend.put(backend.spec().withWeight(0), new PerBackend(counters, lastLogged, suppressed));
        } else {
            byBackend.remove(backend.spec().withWeight(0)); // BackendMeters removes the backend's lb.* meters
        }
    }
}
