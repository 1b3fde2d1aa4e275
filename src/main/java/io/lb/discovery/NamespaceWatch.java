package io.lb.discovery;

import java.util.List;
import java.util.TreeSet;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * One informer for the EndpointSlices of one namespace, shared by every pool whose Service lives there: it lists
 * and watches the slices of those Services (label {@code kubernetes.io/service-name in (...)}), reconnects on its
 * own, keeps a local cache, and after every event hands the whole cache to each pool's {@link PoolReconciler}.
 */
final class NamespaceWatch {

    private static final Logger LOG = Logger.getLogger(NamespaceWatch.class);

    private final String namespace;
    private final List<PoolReconciler> pools;
    private volatile SharedIndexInformer<EndpointSlice> informer;
    private volatile boolean stopping;

    /** {@code pools}: the reconcilers of the pools whose Service is in {@code namespace}. */
    NamespaceWatch(String namespace, List<PoolReconciler> pools) {
        this.namespace = namespace;
        this.pools = List.copyOf(pools);
    }

    void start(KubernetesClient client) {
        TreeSet<String> services = new TreeSet<>();
        pools.forEach(pool -> services.add(pool.service().service()));
        SharedIndexInformer<EndpointSlice> created = client.discovery().v1().endpointSlices()
                .inNamespace(namespace)
                .withLabelIn(PoolReconciler.SERVICE_NAME_LABEL, services.toArray(String[]::new))
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
            LOG.warnf("EndpointSlice informer for namespace %s (services %s): %s (retrying)", namespace, services,
                    error.toString());
            return true;
        });
        informer = created;
        LOG.infof("watching the EndpointSlices of services %s in namespace %s", services, namespace);
        created.start().whenComplete((ignored, error) -> {
            if (error != null && !stopping) {
                LOG.errorf(error, "EndpointSlice informer for namespace %s stopped", namespace);
            }
        });
    }

    void stop() {
        stopping = true;
        SharedIndexInformer<EndpointSlice> running = informer;
        if (running != null) {
            running.stop();
        }
    }

    /** True once the informer has listed the EndpointSlices at least once. */
    boolean synced() {
        SharedIndexInformer<EndpointSlice> running = informer;
        return running != null && running.hasSynced();
    }

    List<PoolReconciler> pools() {
        return pools;
    }

    private void reconcile() {
        SharedIndexInformer<EndpointSlice> running = informer;
        if (running == null) {
            return;
        }
        List<EndpointSlice> slices = running.getStore().list();
        for (PoolReconciler pool : pools) {
            pool.reconcile(slices);
        }
    }
}
