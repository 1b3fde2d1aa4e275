package io.lb.tracing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Tracing on, spans exported every 50 ms to an {@link OtlpReceiver} on loopback. */
final class TracingProfiles {

    private TracingProfiles() {
    }

    static Map<String, String> tracingOn() {
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.otel.sdk.disabled", "false");
        config.put("quarkus.otel.bsp.schedule.delay", "50ms");
        config.put("quarkus.otel.traces.suppress-application-uris", "/healthz");
        config.put("lb.timeout.response", "2s");
        config.put("lb.retry.max-attempts", "3");
        return config;
    }

    /** Exported over gRPC; the balancer speaks h2c to its backends. */
    public static class Grpc implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = tracingOn();
            config.put("lb.client.protocol", "h2c");
            return config;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(OtlpReceiverResource.class, Map.of("protocol", "grpc")));
        }
    }

    /** Exported as http/protobuf; HTTP/1.1 to the backends. */
    public static class HttpProtobuf implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return tracingOn();
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(OtlpReceiverResource.class, Map.of("protocol", "http/protobuf")));
        }
    }
}
