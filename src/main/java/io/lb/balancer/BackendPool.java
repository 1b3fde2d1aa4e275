package io.lb.balancer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import io.lb.config.BackendSpec;

/**
 * The registry of backends. Reads (every request) see an immutable array without locking; the rare writes
 * (configuration, admin API, discovery) copy it under a lock.
 */
@ApplicationScoped
public class BackendPool {

    private volatile Backend[] backends = new Backend[0];

    @Inject
    Event<BackendEvent> events;

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
}
