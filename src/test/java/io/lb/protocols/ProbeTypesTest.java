package io.lb.protocols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.balancer.BackendState;
import io.lb.balancer.PoolRegistry;
import io.lb.config.BackendSpecParser;
import io.lb.testing.Behaviours;
import io.lb.testing.GrpcBackend;
import io.lb.testing.TestBackend;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.net.NetServer;

/**
 * Each pool probes with its own {@code lb.health.type} ({@link GrpcProfile}): {@code tcp} is satisfied by an
 * accepted connection, {@code http} speaks HTTP/2 when traffic does, {@code grpc} asks for the pool's
 * {@code lb.health.grpc.service} and fails a server that does not answer gRPC.
 */
@QuarkusTest
@TestProfile(GrpcProfile.class)
class ProbeTypesTest {

    @Inject
    PoolRegistry pools;

    private final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void emptyPoolsAndStopBackends() throws Exception {
        for (BackendPool pool : pools.all()) {
            pool.all().forEach(backend -> pool.remove(backend.id()));
        }
        for (AutoCloseable backend : started) {
            backend.close();
        }
    }

    @Test
    void aTcpProbeIsSatisfiedByAnAcceptedConnection() throws Exception {
        // closes every connection unread: no HTTP or gRPC probe could pass here
        AtomicInteger accepted = new AtomicInteger();
        NetServer silent = TestBackend.vertx().createNetServer().connectHandler(socket -> {
            accepted.incrementAndGet();
            socket.close();
        });
        silent.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        started.add(() -> silent.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        BackendPool raw = pool("raw");
        String listening = "http://127.0.0.1:" + silent.actualPort();
        String closed = "http://127.0.0.1:" + closedPort();
        raw.add(BackendSpecParser.parse(listening));
        raw.add(BackendSpecParser.parse(closed));

        eventually().failFast("the listening backend went DOWN", () -> state(raw, listening) != BackendState.UP)
                .until(() -> accepted.get() >= 3 && state(raw, closed) == BackendState.DOWN);
        assertEquals("connection accepted", raw.find(listening).orElseThrow().lastCheck().detail());
        assertTrue(raw.find(closed).orElseThrow().lastCheck().detail().startsWith("connection failed"));
    }

    @Test
    void httpProbesSpeakHttp2WhenTrafficDoes() {
        TestBackend web = TestBackend.start("web");
        started.add(web);
        BackendPool pool = pool("web");
        pool.add(BackendSpecParser.parse(web.url()));
        eventually().failFast("went DOWN", () -> state(pool, web.url()) != BackendState.UP)
                .until(() -> probes(web).size() >= 3);
        for (TestBackend.ReceivedRequest probe : probes(web)) {
            assertEquals("HTTP_2", probe.version());
            assertEquals("GET", probe.method());
            assertEquals("/healthz", probe.uri());
        }
        // each probe on a connection of its own (accepted before its request arrives), closed after it
        int seen = probes(web).size();
        assertTrue(web.connectionsAccepted() >= seen, web.connectionsAccepted() + " connections, " + seen + " probes");
        eventually().until(() -> web.connectionsOpen() == 0);
        web.behave(Behaviours.status(503));
        eventually().until(() -> state(pool, web.url()) == BackendState.DOWN);
        assertEquals("status 503", pool.find(web.url()).orElseThrow().lastCheck().detail());
    }

    @Test
    void aGrpcProbeAsksForThePoolsService() {
        GrpcBackend grpc = GrpcBackend.start("g");
        started.add(grpc);
        BackendPool svc = pool("svc");
        BackendPool overall = pool("default");
        svc.add(BackendSpecParser.parse(grpc.url()));
        overall.add(BackendSpecParser.parse(grpc.url()));
        // the server is SERVING; the health of grpc.testing.SimpleService is not registered
        eventually().failFast("the server's overall health failed", () -> state(overall, grpc.url()) != BackendState.UP)
                .until(() -> state(svc, grpc.url()) == BackendState.DOWN);
        assertTrue(svc.find(grpc.url()).orElseThrow().lastCheck().detail().startsWith("grpc-status 5 NOT_FOUND"),
                svc.find(grpc.url()).orElseThrow().lastCheck().detail());

        grpc.simpleServiceServing(true);
        eventually().until(() -> state(svc, grpc.url()) == BackendState.UP);
        grpc.simpleServiceServing(false);
        eventually().until(() -> state(svc, grpc.url()) == BackendState.DOWN);
        assertEquals("NOT_SERVING", svc.find(grpc.url()).orElseThrow().lastCheck().detail());
        assertEquals(BackendState.UP, state(overall, grpc.url()));
    }

    @Test
    void aGrpcProbeFailsAServerThatDoesNotSpeakGrpc() {
        TestBackend http = TestBackend.start("plain");
        started.add(http);
        BackendPool pool = pool("default");
        pool.add(BackendSpecParser.parse(http.url()));
        eventually().until(() -> state(pool, http.url()) == BackendState.DOWN);
        String detail = pool.find(http.url()).orElseThrow().lastCheck().detail();
        assertTrue(detail.startsWith("not a gRPC response"), detail);
        TestBackend.ReceivedRequest probe = probes(http).get(0);
        assertEquals("POST", probe.method());
        assertEquals("/grpc.health.v1.Health/Check", probe.uri());
        assertEquals("HTTP_2", probe.version());
        assertEquals("application/grpc", probe.headers().get("content-type"));
        assertEquals("trailers", probe.headers().get("te"));
        assertEquals("800m", probe.headers().get("grpc-timeout"));
    }

    private BackendPool pool(String name) {
        BackendPool pool = pools.find(name).orElseThrow();
        pool.all().forEach(backend -> pool.remove(backend.id()));
        return pool;
    }

    private static BackendState state(BackendPool pool, String url) {
        return pool.find(url).map(Backend::state).orElseThrow();
    }

    private static List<TestBackend.ReceivedRequest> probes(TestBackend backend) {
        return backend.received().stream().filter(TestBackend.ReceivedRequest::isHealthProbe).toList();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static ConditionFactory eventually() {
        return Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(25));
    }
}
