package io.lb.balancer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import io.lb.config.BackendSpec;
import io.vertx.core.Vertx;

/**
 * The registry of backends. Reads (every request) see an immutable array without locking; the rare writes
 * (configuration, admin API, discovery) copy it under a lock.
 */
@ApplicationScoped
public class BackendPool {

    private volatile Backend[] backends = new Backend[0];

    /** How often retiring backends are looked at to see whether their last exchange has ended. */
    static final long RETIRE_CHECK_MILLIS = 100;

    @Inject
    Event<BackendEvent> events;

    @Inject
    Vertx vertx;

    /** Backends being retired (draining until idle, then removed), with what to complete once they are gone. */
    private final Map<Backend, CompletableFuture<Backend>> retiring = new ConcurrentHashMap<>();
    private long retireTimer = -1;

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

    /** Adds a backend, or returns the existing one with the same URL. */
    public synchronized Backend add(BackendSpec spec) {
        Optional<Backend> existing = find(spec.url());
        if (existing.isPresent()) {
            return existing.get();
        }
        Backend backend = new Backend(spec);
        List<Backend> next = new ArrayList<>(List.of(backends));
        next.add(backend);
        backends = next.toArray(Backend[]::new);
        events.fire(new BackendEvent(BackendEvent.Kind.ADDED, backend));
        return backend;
    }

    /** Takes a backend out of rotation at once; exchanges already in flight finish on their own. */
    public synchronized Optional<Backend> remove(String id) {
        Optional<Backend> found = find(id);
        found.ifPresent(backend -> {
            List<Backend> next = new ArrayList<>(List.of(backends));
            next.remove(backend);
            backends = next.toArray(Backend[]::new);
            events.fire(new BackendEvent(BackendEvent.Kind.REMOVED, backend));
        });
        return found;
    }

    /**
     * Removes a backend gracefully: it takes no new exchanges at once (draining), the exchanges in flight
     * finish, and it leaves the pool when its active count reaches zero. The returned stage completes with the
     * backend when it is gone; empty when there is no such backend.
     */
    public synchronized Optional<CompletionStage<Backend>> retire(String id) {
        Optional<Backend> found = find(id);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Backend backend = found.get();
        CompletableFuture<Backend> gone = retiring.computeIfAbsent(backend, b -> new CompletableFuture<>());
        backend.draining(true);
        reapIdle();
        if (!retiring.isEmpty() && retireTimer < 0) {
            retireTimer = vertx.setPeriodic(RETIRE_CHECK_MILLIS, timer -> reapIdle());
        }
        return Optional.of(gone);
    }

    /** Whether {@code backend} is being retired (draining until its exchanges end, then removed). */
    public boolean retiring(Backend backend) {
        return retiring.containsKey(backend);
    }

    private synchronized void reapIdle() {
        for (var entry : List.copyOf(retiring.entrySet())) {
            Backend backend = entry.getKey();
            boolean gone = find(backend.id()).filter(b -> b == backend).isEmpty();
            if (gone || backend.activeConnections() == 0) {
                retiring.remove(backend);
                if (!gone) {
                    remove(backend.id());
                }
                entry.getValue().complete(backend);
            }
        }
        if (retiring.isEmpty() && retireTimer >= 0) {
            vertx.cancelTimer(retireTimer);
            retireTimer = -1;
        }
    }
}
