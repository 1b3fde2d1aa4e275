package io.lb.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.lb.config.BackendSpec;

class EndpointSliceBackendsTest {

    private static EndpointSlice slice(String name, List<String[]> ports, Object... endpoints) {
        EndpointSliceBuilder builder = new EndpointSliceBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withAddressType("IPv4");
        for (String[] port : ports) {
            builder.addNewPort().withName(port[0]).withPort(Integer.parseInt(port[1])).withProtocol(port[2]).endPort();
        }
        for (int i = 0; i < endpoints.length; i += 2) {
            builder.addToEndpoints(new EndpointBuilder().withAddresses((String) endpoints[i])
                    .withNewConditions().withReady((Boolean) endpoints[i + 1]).endConditions().build());
        }
        return builder.build();
    }

    private static Set<String> urls(Set<BackendSpec> specs) {
        return specs.stream().map(BackendSpec::url).collect(Collectors.toCollection(java.util.LinkedHashSet::new));
    }

    @Test
    void readyAndUnknownReadinessCountNotReadyDoesNot() {
        EndpointSlice slice = slice("web-1", List.<String[]>of(new String[] { "http", "8080", "TCP" }),
                "10.1.0.1", true, "10.1.0.2", false, "10.1.0.3", null);
        assertEquals(Set.of("http://10.1.0.1:8080", "http://10.1.0.3:8080"),
                urls(EndpointSliceBackends.readyBackends(List.of(slice), Optional.empty())));
    }

    @Test
    void portIsPickedByNameAndUdpIsIgnored() {
        EndpointSlice slice = slice("web-1", List.of(new String[] { "metrics", "9090", "TCP" },
                new String[] { "http", "8080", "TCP" }, new String[] { "dns", "53", "UDP" }), "10.1.0.1", true);
        assertEquals(Set.of("http://10.1.0.1:8080"),
                urls(EndpointSliceBackends.readyBackends(List.of(slice), Optional.of("http"))));
        assertEquals(Set.of(), urls(EndpointSliceBackends.readyBackends(List.of(slice), Optional.of("grpc"))));
        // no name: the first TCP port by name, deterministically, and a warning
        assertEquals(Set.of("http://10.1.0.1:8080"),
                urls(EndpointSliceBackends.readyBackends(List.of(slice), Optional.empty())));
        assertEquals(true, EndpointSliceBackends.ambiguousPort(slice, Optional.empty()));
    }

    @Test
    void severalSlicesAreMergedWithoutDuplicatesAndIpv6IsBracketed() {
        EndpointSlice a = slice("web-a", List.<String[]>of(new String[] { "", "8080", "TCP" }), "10.1.0.1", true);
        EndpointSlice b = slice("web-b", List.<String[]>of(new String[] { "", "8080", "TCP" }), "10.1.0.1", true,
                "FD00::1", true);
        assertEquals(Set.of("http://10.1.0.1:8080", "http://[fd00::1]:8080"),
                urls(EndpointSliceBackends.readyBackends(List.of(b, a), Optional.empty())));
    }

    @Test
    void sliceWithoutPortsOrEndpointsGivesNothing() {
        EndpointSlice empty = new EndpointSliceBuilder().withNewMetadata().withName("x").endMetadata()
                .withAddressType("IPv4").build();
        assertEquals(Set.of(), EndpointSliceBackends.readyBackends(List.of(empty), Optional.empty()));
    }
}
