package io.lb.balancer;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.lb.config.LbConfig;
import io.lb.config.PoolSettings;

/**
 * The pools this deployment serves, named in the configuration and fixed for its lifetime (their backends
 * change; the set of pools does not). The default pool, when there is one, comes first.
 */
@Singleton
public class PoolRegistry {

    private final Map<String, BackendPool> byName;

    @Inject
    public PoolRegistry(LbConfig config, Event<BackendEvent> events) {
        this(PoolSettings.resolveAll(config).values(), events::fire);
    }

    /** For tests and tools that run without CDI: {@code events} hears of every backend added or removed. */
    public PoolRegistry(Collection<PoolSettings> pools, Consumer<BackendEvent> events) {
        Map<String, BackendPool> pools0 = new LinkedHashMap<>();
        for (PoolSettings settings : pools) {
            pools0.put(settings.name(), new BackendPool(settings, events));
        }
        this.byName = Collections.unmodifiableMap(pools0);
    }

    public Collection<BackendPool> all() {
        return byName.values();
    }

    public Optional<BackendPool> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The pool unrouted requests and the single-pool admin endpoints use; empty when only named pools exist. */
    public Optional<BackendPool> defaultPool() {
        return find(PoolSettings.DEFAULT);
    }

    /** Every backend of every pool that could take traffic or is being probed: for readiness and shutdown. */
    public int backendCount() {
        int count = 0;
        for (BackendPool pool : byName.values()) {
            count += pool.snapshot().length;
        }
        return count;
    }
}
