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
 * Counts backends' protocol violations in {@code lb_backend_protocol_errors_total{backend,kind}} (every kind at 0
 * from the moment a backend joins, so that an alert can be written before the first incident) and logs one WARN
 * line per backend and kind at most every {@link #LOG_PERIOD_NANOS}, with how many were not logged since.
 */
@Singleton
public class BackendProtocolErrors implements ProtocolErrorListener {

    private static final Logger LOG = Logger.getLogger(BackendProtocolErrors.class);
    static final long LOG_PERIOD_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final ProtocolViolation.Kind[] KINDS = ProtocolViolation.Kind.values();

    private final MeterRegistry registry;
    private final Map<String, PerBackend> byBackend = new ConcurrentHashMap<>();

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
        PerBackend meters = byBackend.get(backend.url());
        if (meters == null) {
            // the backend has left the pool: its series are gone and are not made again
            LOG.warnf("backend %s protocol error (%s): %s", backend.url(), violation.kind().label(),
                    violation.getMessage());
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
        LOG.warnf("backend %s protocol error (%s): %s; connection closed%s", backend.url(), violation.kind().label(),
                violation.getMessage(), notLogged == 0 ? "" : " (" + notLogged + " more of this kind not logged)");
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
                        .tag(BackendMeters.TAG, backend.id())
                        .tag("kind", kind.label())
                        .register(registry);
                lastLogged[kind.ordinal()] = new AtomicLong();
                suppressed[kind.ordinal()] = new AtomicLong();
            }
            byBackend.put(backend.id(), new PerBackend(counters, lastLogged, suppressed));
        } else {
            byBackend.remove(backend.id()); // BackendMeters removes every lb.* meter tagged with the backend
        }
    }
}
