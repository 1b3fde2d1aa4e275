package io.lb.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The status and message of the balancer's own answers to gRPC calls. */
class GrpcErrorsTest {

    @ParameterizedTest
    @CsvSource({ "502,14", "503,14", "429,14", "504,4", "408,4", "404,12", "400,13", "413,8", "431,8", "405,2" })
    void eachOfTheBalancersStatusesHasItsGrpcStatus(int http, int grpc) {
        assertEquals(grpc, GrpcErrors.statusFor(http));
    }

    @Test
    void theMessageIsOneLinePercentEncodedAsGrpcSays() {
        assertEquals("503 Service Unavailable: no backend is available; request id: abc",
                GrpcErrors.message("503 Service Unavailable: no backend is available\nrequest id: abc\n"));
        assertEquals("100%25 sure", GrpcErrors.message("100% sure\n"));
        assertEquals("h%C3%A9llo%09tab", GrpcErrors.message("h\u00e9llo\ttab"));
    }
}
