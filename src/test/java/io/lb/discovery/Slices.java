package io.lb.discovery;

import java.util.Arrays;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.lb.testing.TestBackend;

/** EndpointSlices as the EndpointSlice controller writes them, pointing at test backends. */
final class Slices {

    private Slices() {
    }

    /** A slice of {@code service} whose port {@code http} is {@code port}, with a ready endpoint per backend. */
    static EndpointSlice of(String namespace, String name, String service, int port, TestBackend... ready) {
        Endpoint[] endpoints = Arrays.stream(ready).map(backend -> new EndpointBuilder()
                .withAddresses(host(backend)).withNewConditions().withReady(true).endConditions().build())
                .toArray(Endpoint[]::new);
        return new EndpointSliceBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name)
                .addToLabels(KubernetesDiscovery.SERVICE_NAME_LABEL, service).endMetadata()
                .withAddressType("IPv4")
                .addNewPort().withName("http").withPort(port).withProtocol("TCP").endPort()
                .withEndpoints(endpoints)
                .build();
    }

    static void apply(KubernetesClient client, EndpointSlice slice) {
        client.resource(slice).createOr(existing -> existing.update());
    }

    static void delete(KubernetesClient client, String namespace, String name) {
        client.discovery().v1().endpointSlices().inNamespace(namespace).withName(name).delete();
    }

    private static String host(TestBackend backend) {
        String url = backend.url();
        return url.substring("http://".length(), url.lastIndexOf(':'));
    }
}
