package io.lb.balancer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.lb.config.BackendSpec;

/**
 * The registry of backends. Reads (every request) see an immutable array without locking; the rare writes
 * (configuration, admin API, discovery) copy it under a lock.
 */
@ApplicationScoped
public class BackendPool {

    private volatile Backend[] backends = new Backend[0];
    /** Backends draining towards removal by {@link #retire(String)}. */
    private final Set<Backend> retiring = ConcurrentHashMap.newKeySet();

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
     * cancels its retirement: it stops draining and stays.
     */
    public synchronized Backend add(BackendSpec spec) {
        Optional<Backend> existing = find(spec.url());
        if (existing.isPresent()) {
            Backend backend = existing.get();
            if (retiring.remove(backend)) {
                backend.idleListener(null);
                backend.draining(false);
            }
            return backend;
        }
        Backend backend = new Backend(spec);
        List<Backend> next = new ArrayList<>(List.of(backends));
        next.add(backend);
        backends = next.toArray(Backend[]::new);
        return backend;
    }

    /** Takes a backend out of rotation at once; exchanges already in flight finish on their own. */
    public synchronized Optional<Backend> remove(String id) {
        Optional<Backend> found = find(id);
        found.ifPresent(backend -> {
            if (retiring.remove(backend)) {
                backend.idleListener(null);
            }
            List<Backend> next = new ArrayList<>(List.of(backends));
            next.remove(backend);
            backends = next.toArray(Backend[]::new);
        });
        return found;
    }

    /**
     * Takes a backend out of rotation gracefully: it is marked draining at once, so no new exchange goes there,
     * and leaves the pool when its last exchange in flight ends (at once if it has none). Used by discovery
     * when an endpoint disappears or turns not ready.
     */
    public Optional<Backend> retire(String id) {
        Backend backend;
        synchronized (this) {
            Optional<Backend> found = find(id);
            if (found.isEmpty()) {
                return found;
            }
            backend = found.get();
            retiring.add(backend);
            backend.draining(true);
            backend.idleListener(() -> removeIfRetired(backend));
        }
        // Either this check sees the last release, or that release sees the listener (both are volatile).
        if (backend.activeConnections() == 0) {
            removeIfRetired(backend);
        }
        return Optional.of(backend);
    }

    /** Is this backend draining towards removal? */
    public boolean retiring(Backend backend) {
        return retiring.contains(backend);
    }

    private synchronized void removeIfRetired(Backend backend) {
        if (!retiring.contains(backend) || backend.activeConnections() != 0) {
            return;
        }
        retiring.remove(backend);
        backend.idleListener(null);
        // by identity: a backend re-added later under the same URL is another object and stays
        List<Backend> next = new ArrayList<>(List.of(backends));
        if (next.remove(backend)) {
            backends = next.toArray(Backend[]::new);
        }
    }
}
