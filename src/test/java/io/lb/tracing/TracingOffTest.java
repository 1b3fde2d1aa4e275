package io.lb.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.BackendPool;
import io.lb.testing.Pools;
import io.lb.testing.TestBackend;
import io.prometheus.client.exemplars.ExemplarSampler;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;

/**
 * Tracing as shipped: off (quarkus.otel.sdk.disabled=true). The tracing listener is left out at startup, no Vert.x
 * metrics hook or exemplar sampler sits on the request path, and a client's trace context reaches the backend exactly
 * as it was sent, as every end-to-end header does.
 */
@QuarkusTest
class TracingOffTest {

    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    TestBackend backend;

    @TestHTTPResource("/")
    URI proxy;

    @Inject
    BackendPool pool;

    @Inject
    ExchangeTracing tracing;

    @Inject
    Vertx vertx;

    @Inject
    Optional<ExemplarSampler> exemplarSampler;

    @BeforeEach
    void install() {
        backend = TestBackend.start("untraced");
        Pools.use(pool, backend);
    }

    @AfterEach
    void countsBackToZero() {
        Pools.awaitAllIdle(pool);
        backend.close();
    }

    @Test
    void aClientsTraceContextReachesTheBackendUnchanged() throws Exception {
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        String tracestate = "congo=t61rcWkgMzE, rojo=00f067aa0ba902b7";
        assertEquals(200, client.send(HttpRequest.newBuilder(proxy.resolve("/untraced"))
                .header("traceparent", traceparent).header("tracestate", tracestate).build(),
                BodyHandlers.ofString()).statusCode());
        TestBackend.ReceivedRequest seen = backend.lastRequest();
        assertEquals(List.of(traceparent), seen.headers().getAll("traceparent"));
        assertEquals(List.of(tracestate), seen.headers().getAll("tracestate"));
    }

    @Test
    void aRequestWithoutTraceContextGetsNone() throws Exception {
        assertEquals(200, client.send(HttpRequest.newBuilder(proxy.resolve("/plain")).build(),
                BodyHandlers.ofString()).statusCode());
        assertFalse(backend.lastRequest().headers().contains("traceparent"));
    }

    @Test
    void nothingOfTracingIsOnTheRequestPath() {
        assertFalse(tracing.enabled(), "the listener is left out of the exchange listeners");
        assertEquals(0, tracing.open());
        assertFalse(vertx.isMetricsEnabled(), "no Vert.x metrics SPI (Quarkus' OpenTelemetry hook) either");
        assertEquals(Optional.empty(), exemplarSampler,
                "the Prometheus registry gets no exemplar sampler (Quarkus' looks for a current span at every meter update)");
    }
}
