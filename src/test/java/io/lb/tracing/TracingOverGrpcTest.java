package io.lb.tracing;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link TracedExchangesTest} with the spans exported over gRPC, and h2c between the balancer and its backends. */
@QuarkusTest
@TestProfile(TracingProfiles.Grpc.class)
class TracingOverGrpcTest extends TracedExchangesTest {

    @Override
    String backendVersion() {
        return "2";
    }

    @Override
    String exportedAs() {
        return "grpc";
    }
}
