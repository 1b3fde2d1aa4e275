package io.lb.discovery;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.lb.balancer.BackendPool;
import io.lb.config.BackendSpec;

/**
 * Brings one pool in line with the ready endpoints of its Service, given every EndpointSlice its informer holds
 * (level-triggered: the whole desired set each time, so a missed or reordered event cannot leave a stale backend
 * behind). New endpoints are added; an endpoint that stays keeps its {@link io.lb.balancer.Backend} (counts,
 * health, ejection, slow start), because {@link BackendPool#add} returns the existing backend of a URL; one that
 * disappeared or turned not ready is {@linkplain BackendPool#retire(String) retired}: draining at once, removed
 * when its exchanges in flight have ended.
 */
final class PoolReconciler {

    private static final Logger LOG = Logger.getLogger(PoolReconciler.class);
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private final BackendPool pool;
    private final DiscoveredService service;
    /** The backends this reconciler put in the pool and has not retired. */
    private final Set<String> owned = new HashSet<>();
    private final Set<String> warnedAmbiguous = new HashSet<>();
    private boolean listed;

    PoolReconciler(BackendPool pool, DiscoveredService service) {
        this.pool = pool;
        this.service = service;
    }

    DiscoveredService service() {
        return service;
    }

    /** {@code slices}: the informer's whole cache, which may hold other Services' slices too. */
    synchronized void reconcile(Collection<EndpointSlice> slices) {
        List<EndpointSlice> ours = slices.stream().filter(this::ofOurService).toList();
        warnAboutAmbiguousPorts(ours);
        Set<BackendSpec> desired = EndpointSliceBackends.readyBackends(ours, service.portName());
        Set<String> desiredIds = new HashSet<>();
        for (BackendSpec spec : desired) {
            desiredIds.add(spec.url());
            boolean wasRetiring = pool.find(spec.url()).filter(pool::retiring).isPresent();
            pool.add(spec); // the backend already there, if any; cancels a retirement still in progress
            if (owned.add(spec.url())) {
                LOG.infof(wasRetiring ? "backend %s of pool %s back before its retirement ended (ready endpoint of %s)"
                        : "backend %s added to pool %s (ready endpoint of %s)", spec.url(), pool.name(),
                        service.describe());
            }
        }
        for (String id : List.copyOf(owned)) {
            if (!desiredIds.contains(id)) {
                owned.remove(id);
                retire(id);
            }
        }
        if (!listed) {
            listed = true;
            LOG.infof("EndpointSlices of %s listed: %d ready backends for pool %s", service.describe(),
                    desired.size(), pool.name());
        }
    }

    private boolean ofOurService(EndpointSlice slice) {
        return slice.getMetadata() != null && slice.getMetadata().getLabels() != null
                && service.service().equals(slice.getMetadata().getLabels().get(SERVICE_NAME_LABEL))
                && service.namespace().equals(slice.getMetadata().getNamespace());
    }

    private void warnAboutAmbiguousPorts(List<EndpointSlice> slices) {
        warnedAmbiguous.retainAll(slices.stream().map(slice -> slice.getMetadata().getName()).toList());
        for (EndpointSlice slice : slices) {
            String name = slice.getMetadata().getName();
            if (EndpointSliceBackends.ambiguousPort(slice, service.portName()) && warnedAmbiguous.add(name)) {
                LOG.warnf("EndpointSlice %s has several ports; using the first by name. Set %s.kubernetes.port-name"
                        + " to choose", name, service.key());
            }
        }
    }

    private void retire(String id) {
        pool.find(id).ifPresent(backend -> {
            pool.retire(id);
            int inFlight = backend.activeConnections();
            if (inFlight == 0) {
                LOG.infof("backend %s removed from pool %s (endpoint gone or not ready)", id, pool.name());
            } else {
                LOG.infof("backend %s of pool %s draining (endpoint gone or not ready): removed when its %d"
                        + " exchanges in flight end", id, pool.name(), inFlight);
            }
        });
    }
}
