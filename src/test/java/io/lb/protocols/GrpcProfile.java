package io.lb.protocols;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * gRPC backends: HTTP/2 towards them, gRPC health probes every second (two failures take a backend DOWN, so a
 * probe that fails healthy gRPC servers shows within a few seconds), a 2 s response timeout. Three more pools, on
 * no route, for the other probe types: {@code svc} asks for one gRPC service's health, {@code raw} probes with a
 * TCP connect, {@code web} with an HTTP GET.
 */
public class GrpcProfile implements QuarkusTestProfile {

    static final String SERVICE = "grpc.testing.SimpleService";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("lb.client.protocol", "h2c"),
                Map.entry("lb.health.type", "grpc"),
                Map.entry("lb.health.interval", "1s"),
                Map.entry("lb.health.down-interval", "1s"),
                Map.entry("lb.health.timeout", "800ms"),
                Map.entry("lb.health.fall", "2"),
                Map.entry("lb.health.rise", "2"),
                Map.entry("lb.timeout.response", "2s"),
                Map.entry("lb.slow-start.window", "0s"),
                Map.entry("lb.pools.svc.backends", "http://127.0.0.1:9"),
                Map.entry("lb.pools.svc.health.grpc.service", SERVICE),
                Map.entry("lb.pools.raw.backends", "http://127.0.0.1:9"),
                Map.entry("lb.pools.raw.health.type", "tcp"),
                Map.entry("lb.pools.web.backends", "http://127.0.0.1:9"),
                Map.entry("lb.pools.web.health.type", "http"),
                Map.entry("lb.pools.web.health.path", "/healthz"));
    }
}
