package io.lb.tracing;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link TracedExchangesTest} with the spans exported as http/protobuf, and HTTP/1.1 to the backends. */
@QuarkusTest
@TestProfile(TracingProfiles.HttpProtobuf.class)
class TracingOverHttpProtobufTest extends TracedExchangesTest {

    @Override
    String backendVersion() {
        return "1.1";
    }

    @Override
    String exportedAs() {
        return "http application/x-protobuf";
    }
}
