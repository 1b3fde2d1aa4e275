package io.lb.discovery;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.lb.balancer.BackendPool;
import io.lb.balancer.PoolRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Kubernetes discovery: every pool with {@code lb.pools.<pool>.discovery=kubernetes} (and the pool
 * {@code default} with {@code lb.discovery=kubernetes}) has as backends the ready endpoints of its Service,
 * followed live. One {@link NamespaceWatch} (one informer) serves all the pools whose Services share a namespace;
 * a {@link PoolReconciler} per pool keeps the pool in line with its own Service's slices.
 *
 * <p>
 * Why the Quarkus Kubernetes client and not SmallRye Stork's Kubernetes discovery: Stork answers "give me the
 * instances" on demand from a cache (refreshed on a timer, or invalidated by a watch in recent versions), reads
 * the older core/v1 Endpoints API (and needs RBAC on endpoints and pods); it has no event for an endpoint going
 * away that the balancer could turn into draining, and its own load balancers would duplicate ours. The balancer
 * owns selection and connection counts in {@link BackendPool}; it needs the add/remove events themselves, as soon
 * as the API server has them, which is what an informer gives.
 *
 * <p>
 * Without a discovering pool this bean does nothing: the {@link KubernetesClient} is looked up lazily, so it is
 * not even created and no cluster is contacted (dev mode, tests, plain {@code java -jar}).
 */
@ApplicationScoped
public class KubernetesDiscovery {

    static final String SERVICE_NAME_LABEL = PoolReconciler.SERVICE_NAME_LABEL;

    @Inject
    PoolRegistry pools;

    @Inject
    Instance<KubernetesClient> client;

    private volatile List<NamespaceWatch> watches = List.of();

    /** After {@link StaticBackends} (priority 1) has checked the configuration. */
    void onStart(@Observes @Priority(2) StartupEvent event) {
        List<BackendPool> discovering = pools.all().stream()
                .filter(pool -> DiscoveryMode.of(pool.settings().discovery()) == DiscoveryMode.KUBERNETES)
                .toList();
        if (discovering.isEmpty()) {
            return;
        }
        KubernetesClient kubernetes = client.get();
        String ownNamespace = Optional.ofNullable(kubernetes.getNamespace()).orElse("default");
        Map<String, List<PoolReconciler>> byNamespace = new TreeMap<>();
        for (BackendPool pool : discovering) {
            DiscoveredService service = DiscoveredService.of(pool.name(), pool.settings().discovery(), ownNamespace);
            byNamespace.computeIfAbsent(service.namespace(), ns -> new ArrayList<>())
                    .add(new PoolReconciler(pool, service));
        }
        List<NamespaceWatch> started = new ArrayList<>();
        byNamespace.forEach((namespace, reconcilers) -> started.add(new NamespaceWatch(namespace, reconcilers)));
        watches = List.copyOf(started);
        started.forEach(watch -> watch.start(kubernetes));
    }

    void onStop(@Observes ShutdownEvent event) {
        watches.forEach(NamespaceWatch::stop);
    }

    /** True when some pool discovers its backends, once its informer was created. */
    public boolean active() {
        return !watches.isEmpty();
    }

    /** True once every informer has listed its namespace's EndpointSlices at least once. */
    public boolean synced() {
        List<NamespaceWatch> running = watches;
        return !running.isEmpty() && running.stream().allMatch(NamespaceWatch::synced);
    }

    /** Each discovering pool's {@code namespace/service}, and whether its informer has listed it yet. */
    public Map<String, PoolStatus> status() {
        Map<String, PoolStatus> result = new TreeMap<>();
        for (NamespaceWatch watch : watches) {
            boolean synced = watch.synced();
            for (PoolReconciler pool : watch.pools()) {
                result.put(pool.service().pool(), new PoolStatus(pool.service().describe(), synced));
            }
        }
        return result;
    }

    /** What readiness reports of one discovering pool. */
    public record PoolStatus(String service, boolean synced) {
    }
}
