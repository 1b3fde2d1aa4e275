package io.lb.discovery;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.lb.balancer.BackendPool;
import io.lb.balancer.PoolRegistry;
import io.lb.config.BackendSpec;
import io.lb.config.LbConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * {@code lb.discovery=kubernetes}: the backends are the ready endpoints of one Service, followed live.
 *
 * <p>
 * A Fabric8 {@link SharedIndexInformer} lists and watches the Service's EndpointSlices (label
 * {@code kubernetes.io/service-name}), reconnects on its own, and keeps a local cache. After every change the
 * whole desired set is recomputed from that cache (level-triggered, so a missed or reordered event cannot leave
 * a stale backend behind) and the pool is brought in line: new ready endpoints are added; endpoints that
 * disappeared or turned not ready are {@linkplain BackendPool#retire(String) retired}: draining at once, removed
 * when their exchanges in flight have ended.
 *
 * <p>
 * Why the Quarkus Kubernetes client and not SmallRye Stork's Kubernetes discovery: Stork answers "give me the
 * instances" on demand from a cache (refreshed on a timer, or invalidated by a watch in recent versions), reads
 * the older core/v1 Endpoints API (and needs RBAC on endpoints and pods); it has no event for an endpoint going
 * away that the balancer could turn into draining, and its own load balancers would duplicate ours. The balancer
 * owns selection and connection counts in {@link BackendPool}; it needs the
 * add/remove events themselves, as soon as the API server has them, which is what an informer gives.
 *
 * <p>
 * In static mode this bean does nothing: the {@link KubernetesClient} is looked up lazily, so it is not even
 * created and no cluster is contacted (dev mode, tests, plain {@code java -jar}).
 */
@ApplicationScoped
public class KubernetesDiscovery {

    private static final Logger LOG = Logger.getLogger(KubernetesDiscovery.class);
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    @Inject
    LbConfig config;

    @Inject
    PoolRegistry pools;

    private BackendPool pool;

    @Inject
    Instance<KubernetesClient> client;

    private volatile SharedIndexInformer<EndpointSlice> informer;
    private volatile String namespace;
    private volatile String service;
    private volatile boolean stopping;
    private Optional<String> portName = Optional.empty();
    /** The backends this discovery put in the pool and has not retired. */
    private final Set<String> owned = new HashSet<>();
    private final Set<String> warnedAmbiguous = new HashSet<>();
    private final AtomicBoolean loggedFirstSync = new AtomicBoolean();

    /** After {@link StaticBackends} (priority 1) has checked the configuration. */
    void onStart(@Observes @Priority(2) StartupEvent event) {
        if (DiscoveryMode.of(config.discovery()) != DiscoveryMode.KUBERNETES) {
            return;
        }
        LbConfig.Discovery.Kubernetes settings = config.discovery().kubernetes();
        pool = pools.defaultPool().orElseThrow();
        KubernetesClient kubernetes = client.get();
        service = settings.service().orElseThrow().trim();
        namespace = settings.namespace().map(String::trim).filter(ns -> !ns.isEmpty())
                .or(() -> Optional.ofNullable(kubernetes.getNamespace()))
                .orElse("default");
        portName = settings.portName().map(String::trim).filter(name -> !name.isEmpty());
        LOG.infof("discovering backends from the EndpointSlices of service %s/%s (port %s)", namespace, service,
                portName.orElse("<the only one>"));

        SharedIndexInformer<EndpointSlice> created = kubernetes.discovery().v1().endpointSlices()
                .inNamespace(namespace)
                .withLabel(SERVICE_NAME_LABEL, service)
                .runnableInformer(0);
        created.addEventHandler(new ResourceEventHandler<EndpointSlice>() {
            @Override
            public void onNothing() {
                reconcile();
            }

            @Override
            public void onAdd(EndpointSlice slice) {
                reconcile();
            }

            @Override
            public void onUpdate(EndpointSlice before, EndpointSlice after) {
                reconcile();
            }

            @Override
            public void onDelete(EndpointSlice slice, boolean finalStateUnknown) {
                reconcile();
            }
        });
        // Keep trying when the API server is unreachable or refuses us (RBAC): the pod stays not ready
        // (DiscoveryReadiness) and says why, instead of crash-looping.
        created.exceptionHandler((started, error) -> {
            LOG.warnf("EndpointSlice informer for %s/%s: %s (retrying)", namespace, service, error.toString());
            return true;
        });
        informer = created;
        created.start().whenComplete((ignored, error) -> {
            if (error != null && !stopping) {
                LOG.errorf(error, "EndpointSlice informer for %s/%s stopped", namespace, service);
            }
        });
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        SharedIndexInformer<EndpointSlice> running = informer;
        if (running != null) {
            running.stop();
        }
    }

    /** True in kubernetes mode, once the informer was created. */
    public boolean active() {
        return informer != null;
    }

    /** True once the informer has listed the EndpointSlices at least once. */
    public boolean synced() {
        SharedIndexInformer<EndpointSlice> running = informer;
        return running != null && running.hasSynced();
    }

    public String describe() {
        return namespace + "/" + service;
    }

    /** Brings the pool in line with the informer's cache. Serialized: events arrive on one thread anyway. */
    synchronized void reconcile() {
        SharedIndexInformer<EndpointSlice> running = informer;
        if (running == null) {
            return;
        }
        List<EndpointSlice> slices = running.getStore().list();
        warnedAmbiguous.retainAll(slices.stream().map(slice -> slice.getMetadata().getName()).toList());
        for (EndpointSlice slice : slices) {
            String name = slice.getMetadata().getName();
            if (EndpointSliceBackends.ambiguousPort(slice, portName) && warnedAmbiguous.add(name)) {
                LOG.warnf("EndpointSlice %s has several ports; using the first by name. "
                        + "Set lb.discovery.kubernetes.port-name to choose", name);
            }
        }
        Set<BackendSpec> desired = EndpointSliceBackends.readyBackends(slices, portName);
        Set<String> desiredIds = new HashSet<>();
        for (BackendSpec spec : desired) {
            desiredIds.add(spec.url());
            pool.add(spec); // cancels a retirement still in progress
            if (owned.add(spec.url())) {
                LOG.infof("backend %s added (ready endpoint of %s/%s)", spec.url(), namespace, service);
            }
        }
        for (String id : List.copyOf(owned)) {
            if (!desiredIds.contains(id)) {
                owned.remove(id);
                pool.find(id).ifPresent(backend -> {
                    pool.retire(id);
                    int inFlight = backend.activeConnections();
                    if (inFlight == 0) {
                        LOG.infof("backend %s removed (endpoint gone or not ready)", id);
                    } else {
                        LOG.infof("backend %s draining (endpoint gone or not ready): removed when its %d "
                                + "exchanges in flight end", id, inFlight);
                    }
                });
            }
        }
        if (loggedFirstSync.compareAndSet(false, true)) {
            LOG.infof("EndpointSlices of %s/%s listed: %d ready backends", namespace, service, desired.size());
        }
    }
}
