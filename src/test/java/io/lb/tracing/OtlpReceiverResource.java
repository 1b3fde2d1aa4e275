package io.lb.tracing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts an {@link OtlpReceiver} before the application (arg {@code protocol}: {@code grpc} or
 * {@code http/protobuf}), points the exporter at it and injects it into the test's {@code OtlpReceiver} field.
 */
public class OtlpReceiverResource implements QuarkusTestResourceLifecycleManager {

    private String protocol;
    private OtlpReceiver receiver;

    @Override
    public void init(Map<String, String> args) {
        protocol = args.getOrDefault("protocol", "grpc");
    }

    @Override
    public Map<String, String> start() {
        receiver = protocol.equals("grpc") ? OtlpReceiver.grpc() : OtlpReceiver.httpProtobuf();
        return Map.of(
                "quarkus.otel.exporter.otlp.protocol", protocol,
                "quarkus.otel.exporter.otlp.endpoint", receiver.endpoint());
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(receiver, new TestInjector.MatchesType(OtlpReceiver.class));
    }

    @Override
    public void stop() {
        if (receiver != null) {
            receiver.close();
        }
    }
}
