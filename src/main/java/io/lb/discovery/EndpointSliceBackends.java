package io.lb.discovery;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.lb.config.BackendSpec;

/**
 * Turns the EndpointSlices of one Service into the backends that may take traffic: every ready endpoint, at
 * the chosen port, over plain http. A pure function, so it is tested without a cluster.
 */
final class EndpointSliceBackends {

    static final String SCHEME = "http";

    private EndpointSliceBackends() {
    }

    /** The backends of all {@code slices}, in a stable order, without duplicates. */
    static Set<BackendSpec> readyBackends(Collection<EndpointSlice> slices, Optional<String> portName) {
        List<EndpointSlice> ordered = new ArrayList<>(slices);
        ordered.sort((a, b) -> name(a).compareTo(name(b)));
        Set<BackendSpec> result = new LinkedHashSet<>();
        for (EndpointSlice slice : ordered) {
            Integer port = port(slice, portName);
            if (port == null || slice.getEndpoints() == null) {
                continue;
            }
            for (Endpoint endpoint : slice.getEndpoints()) {
                if (!ready(endpoint) || endpoint.getAddresses() == null || endpoint.getAddresses().isEmpty()) {
                    continue;
                }
                // Like kube-proxy, use the first address: the others are not guaranteed to be fungible.
                String address = endpoint.getAddresses().get(0).trim().toLowerCase(Locale.ROOT);
                if (!address.isEmpty()) {
                    result.add(new BackendSpec(SCHEME, address, port, 1));
                }
            }
        }
        return result;
    }

    /** The API says a missing {@code ready} condition means ready. Terminating endpoints are not ready. */
    static boolean ready(Endpoint endpoint) {
        if (endpoint.getConditions() == null) {
            return true;
        }
        Boolean ready = endpoint.getConditions().getReady();
        return ready == null || ready;
    }

    /**
     * The slice's port named {@code portName}; without a name, its only TCP port (or the first one, by name,
     * when the Service has several: set {@code lb.discovery.kubernetes.port-name} then). Null when none fits.
     */
    static Integer port(EndpointSlice slice, Optional<String> portName) {
        if (slice.getPorts() == null) {
            return null;
        }
        List<EndpointPort> candidates = new ArrayList<>();
        for (EndpointPort port : slice.getPorts()) {
            boolean tcp = port.getProtocol() == null || "TCP".equals(port.getProtocol());
            if (tcp && port.getPort() != null && port.getPort() > 0 && port.getPort() <= 65_535) {
                candidates.add(port);
            }
        }
        if (portName.isPresent()) {
            for (EndpointPort port : candidates) {
                if (portName.get().equals(port.getName())) {
                    return port.getPort();
                }
            }
            return null;
        }
        candidates.sort((a, b) -> String.valueOf(a.getName()).compareTo(String.valueOf(b.getName())));
        return candidates.isEmpty() ? null : candidates.get(0).getPort();
    }

    /** True when the slice offers several TCP ports and none was picked by name: worth a warning. */
    static boolean ambiguousPort(EndpointSlice slice, Optional<String> portName) {
        return portName.isEmpty() && slice.getPorts() != null
                && slice.getPorts().stream().filter(p -> p.getProtocol() == null || "TCP".equals(p.getProtocol()))
                        .count() > 1;
    }

    private static String name(EndpointSlice slice) {
        return slice.getMetadata() == null || slice.getMetadata().getName() == null ? ""
                : slice.getMetadata().getName();
    }
}
