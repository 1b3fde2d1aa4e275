package io.lb.balancer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.jboss.logging.Logger;

import io.lb.config.BackendSpec;
import io.lb.config.PoolSettings;

/**
 * One named pool: its backends, the strategy that chooses among them, and the settings of its policies. Reads
 * (every request) see an immutable array without locking; the rare writes (configuration, admin API, discovery)
 * copy it under a lock.
 * <p>
 * Panic (Envoy's healthy panic threshold): when fewer than {@code outlier.panic-threshold} percent of the backends
 * that are not draining accept traffic, ejection is ignored and the strategy chooses among every backend that is
 * UP or rising (DOWN with a passing latest probe), so that a pool whose members were ejected, or are coming back,
 * while others went DOWN keeps serving; retries absorb what fails. The state is worked out when a backend's
 * eligibility changes, never per request.
 */
public final class BackendPool {

    private static final Logger LOG = Logger.getLogger(BackendPool.class);

    private volatile Backend[] backends = new Backend[0];
    /** Backends draining towards removal, with what to complete once they are gone. */
    private final Map<Backend, Retirement> retiring = new ConcurrentHashMap<>();

    /** A retirement in progress; {@code drainedBefore}: an operator had drained the backend before it began. */
    private record Retirement(CompletableFuture<Backend> gone, boolean drainedBefore) {
    }

    private final PoolSettings settings;
    private final LoadBalancingStrategy strategy;
    private final Consumer<BackendEvent> events;
    private final int panicThreshold;
    private final Runnable eligibilityChanged = this::updatePanic;
    private volatile boolean panic;
    private final LongAdder panics = new LongAdder();

    /** {@code events} hears of every backend added or removed. */
    public BackendPool(PoolSettings settings, Consumer<BackendEvent> events) {
        this.settings = settings;
        this.strategy = Strategies.create(settings.key("strategy"), settings.strategy(), new Strategies.Options(
                settings.slowStartWindow().toNanos(), settings.latencyDecay().toNanos()));
        this.events = events;
        this.panicThreshold = settings.outlier().panicThreshold();
    }

    public String name() {
        return settings.name();
    }

    public PoolSettings settings() {
        return settings;
    }

    public LoadBalancingStrategy strategy() {
        return strategy;
    }

    /**
     * The strategy's choice among this pool's backends that accept traffic (in panic: that are UP) and are not
     * excluded; or null.
     */
    public Backend choose(Predicate<Backend> excluded) {
        return strategy.choose(backends, panic ? Eligibility.PANIC : Eligibility.NORMAL, excluded);
    }

    /** Is the pool in panic, ignoring ejections because too few of its backends accept traffic? */
    public boolean panic() {
        return panic;
    }

    /** How many backends would the strategy choose among now (in panic, ejected ones count). */
    public int servingBackends() {
        Eligibility eligible = panic ? Eligibility.PANIC : Eligibility.NORMAL;
        int serving = 0;
        for (Backend backend : backends) {
            if (eligible.test(backend)) {
                serving++;
            }
        }
        return serving;
    }

    /** How many times the pool has entered panic. */
    public long panics() {
        return panics.sum();
    }

    private synchronized void updatePanic() {
        if (panicThreshold == 0) {
            return;
        }
        int counted = 0;
        int accepting = 0;
        for (Backend backend : backends) {
            if (backend.draining()) {
                continue;
            }
            counted++;
            if (backend.acceptsTraffic()) {
                accepting++;
            }
        }
        boolean next = counted > 0 && accepting * 100L < (long) panicThreshold * counted;
        if (next == panic) {
            return;
        }
        panic = next;
        if (next) {
            panics.increment();
            LOG.warnf("pool %s in PANIC: %d of %d backends accept traffic (panic-threshold %d%%): ejected backends,"
                    + " and DOWN ones whose latest probe passed, take traffic too", name(), accepting, counted,
                    panicThreshold);
        } else if (counted == 0) {
            LOG.infof("pool %s out of panic: no backends left to count (all removed or draining)", name());
        } else {
            LOG.infof("pool %s out of panic: %d of %d backends accept traffic", name(), accepting, counted);
        }
    }

    /** A snapshot of the current backends, in configuration order. Never modify it. */
    public Backend[] snapshot() {
        return backends;
    }

    public List<Backend> all() {
        return List.of(backends);
    }

    public Optional<Backend> find(String id) {
        for (Backend backend : backends) {
            if (backend.id().equals(id)) {
                return Optional.of(backend);
            }
        }
        return Optional.empty();
    }

    /**
     * Adds a backend, or returns the existing one with the same URL. Adding a backend that is being retired
     * cancels its retirement: it stays, and drains only if an operator had drained it before.
     */
    public synchronized Backend add(BackendSpec spec) {
        Optional<Backend> existing = find(spec.url());
        if (existing.isPresent()) {
            Backend backend = existing.get();
            Retirement cancelled = retiring.remove(backend);
            if (cancelled != null) {
                backend.idleListener(null);
                backend.draining(cancelled.drainedBefore());
            }
            return backend;
        }
        Backend backend = new Backend(spec.inPool(settings.name()));
        List<Backend> next = new ArrayList<>(List.of(backends));
        next.add(backend);
        backends = next.toArray(Backend[]::new);
        backend.eligibilityListener(eligibilityChanged);
        updatePanic();
        events.accept(new BackendEvent(BackendEvent.Kind.ADDED, backend));
        return backend;
    }

    /** Takes a backend out of rotation at once; exchanges already in flight finish on their own. */
    public synchronized Optional<Backend> remove(String id) {
        Optional<Backend> found = find(id);
        found.ifPresent(this::removeNow);
        return found;
    }

    /**
     * Removes a backend gracefully: it takes no new exchanges at once (draining), the exchanges in flight
     * finish, and it leaves the pool when its active count reaches zero (at once if it has none). The returned
     * stage completes with the backend when it is gone; empty when there is no such backend.
     */
    public Optional<CompletionStage<Backend>> retire(String id) {
        Backend backend;
        CompletableFuture<Backend> gone;
        synchronized (this) {
            Optional<Backend> found = find(id);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            backend = found.get();
            gone = retiring.computeIfAbsent(backend, b -> new Retirement(new CompletableFuture<>(), b.draining()))
                    .gone();
            backend.draining(true);
            backend.idleListener(() -> removeIfRetired(backend));
        }
        // Either this check sees the last release, or that release sees the listener (both are volatile).
        if (backend.activeConnections() == 0) {
            removeIfRetired(backend);
        }
        return Optional.of(gone);
    }

    /** Is this backend draining towards removal? */
    public boolean retiring(Backend backend) {
        return retiring.containsKey(backend);
    }

    private synchronized void removeIfRetired(Backend backend) {
        if (!retiring.containsKey(backend) || backend.activeConnections() != 0) {
            return;
        }
        // by identity: a backend re-added later under the same URL is another object and stays
        for (Backend current : backends) {
            if (current == backend) {
                removeNow(backend);
                return;
            }
        }
        retiring.remove(backend).gone().complete(backend);
    }

    private void removeNow(Backend backend) {
        backend.idleListener(null);
        backend.eligibilityListener(null);
        List<Backend> next = new ArrayList<>(List.of(backends));
        next.remove(backend);
        backends = next.toArray(Backend[]::new);
        updatePanic();
        events.accept(new BackendEvent(BackendEvent.Kind.REMOVED, backend));
        Retirement retirement = retiring.remove(backend);
        if (retirement != null) {
            retirement.gone().complete(backend);
        }
    }
}
