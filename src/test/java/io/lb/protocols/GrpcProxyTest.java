package io.lb.protocols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.balancer.BackendState;
import io.lb.testing.GrpcBackend;
import io.lb.testing.Pools;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * gRPC through the balancer, end to end: grpc-java servers with the standard health service as backends (probed
 * with {@code lb.health.type=grpc} every second), a grpc-java client on the traffic port. Every kind of call
 * passes; statuses, trailing metadata and deadlines reach the other side; a dying backend ends a call as
 * UNAVAILABLE; a backend whose health turns NOT_SERVING leaves the rotation; and when the balancer answers itself
 * the client reads a gRPC status, not an HTTP error.
 */
@QuarkusTest
@TestProfile(GrpcProfile.class)
class GrpcProxyTest {

    @TestHTTPResource("/")
    URI proxy;

    @Inject
    BackendPool pool;

    private final List<GrpcBackend> started = new ArrayList<>();
    private GrpcBackend a;
    private GrpcBackend b;
    private ManagedChannel channel;
    private SimpleServiceGrpc.SimpleServiceBlockingStub blocking;
    private SimpleServiceGrpc.SimpleServiceStub async;

    @BeforeEach
    void start() {
        a = backend("a");
        b = backend("b");
        Pools.useUrls(pool, a.url(), b.url());
        channel = NettyChannelBuilder.forAddress("127.0.0.1", proxy.getPort()).usePlaintext().disableRetry().build();
        blocking = SimpleServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
        async = SimpleServiceGrpc.newStub(channel);
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        Pools.awaitAllIdle(pool);
        Pools.useUrls(pool);
        started.forEach(GrpcBackend::close);
    }

    @Test
    void healthyGrpcBackendsStayUpOverSeveralProbePeriods() {
        // fall=2 and a probe a second: a probe that failed healthy gRPC servers would have taken them DOWN
        eventually().failFast("a backend went DOWN", () -> lb(a).state() != BackendState.UP
                || lb(b).state() != BackendState.UP)
                .until(() -> a.healthChecks() >= 3 && b.healthChecks() >= 3);
        for (GrpcBackend backend : List.of(a, b)) {
            assertTrue(lb(backend).lastCheck().healthy(), backend.name() + ": " + lb(backend).lastCheck());
            assertEquals("SERVING", lb(backend).lastCheck().detail());
        }
        assertEquals(Set.of("a", "b"), servedBy(20));
    }

    @Test
    void unaryCallsAreAnsweredAndSpreadOverTheBackends() {
        SimpleResponse response = blocking.unaryRpc(request("hello"));
        assertTrue(response.getResponseMessage().endsWith(":hello"), response.getResponseMessage());
        assertEquals(Set.of("a", "b"), servedBy(30));
    }

    @Test
    void serverStreamingRelaysEveryMessageInOrder() {
        List<String> messages = new ArrayList<>();
        blocking.serverStreamingRpc(request("count:200")).forEachRemaining(r -> messages.add(r.getResponseMessage()));
        assertEquals(200, messages.size());
        String backend = messages.get(0).substring(0, 1);
        for (int i = 0; i < messages.size(); i++) {
            assertEquals(backend + ":" + i, messages.get(i));
        }
    }

    @Test
    void clientStreamingArrivesWhole() throws Exception {
        CompletableFuture<SimpleResponse> answer = new CompletableFuture<>();
        StreamObserver<SimpleRequest> upload = async.clientStreamingRpc(observer(answer));
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            String part = "part-" + i + ";";
            expected.append(part);
            upload.onNext(request(part));
        }
        upload.onCompleted();
        String message = answer.get(20, TimeUnit.SECONDS).getResponseMessage();
        assertEquals(expected.toString(), message.substring(2));
    }

    @Test
    void bidirectionalStreamingEchoesEachMessageBeforeTheNextIsSent() throws Exception {
        BlockingQueue<String> echoes = new LinkedBlockingQueue<>();
        CompletableFuture<Void> ended = new CompletableFuture<>();
        StreamObserver<SimpleRequest> stream = async.bidiStreamingRpc(new StreamObserver<>() {
            @Override
            public void onNext(SimpleResponse value) {
                echoes.add(value.getResponseMessage());
            }

            @Override
            public void onError(Throwable failure) {
                ended.completeExceptionally(failure);
            }

            @Override
            public void onCompleted() {
                ended.complete(null);
            }
        });
        String backend = null;
        for (int i = 0; i < 20; i++) {
            stream.onNext(request("ping-" + i));
            // the request stream is still open: the echo must come back through the balancer as it is
            String echo = echoes.poll(10, TimeUnit.SECONDS);
            assertNotNull(echo, "no echo of ping-" + i);
            backend = backend == null ? echo.substring(0, 1) : backend;
            assertEquals(backend + ":ping-" + i, echo);
        }
        stream.onCompleted();
        ended.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aNonOkStatusAndItsTrailingMetadataReachTheClient() {
        StatusRuntimeException failure = assertThrows(StatusRuntimeException.class,
                () -> blocking.unaryRpc(request("fail")));
        assertEquals(Status.Code.FAILED_PRECONDITION, failure.getStatus().getCode());
        assertTrue(failure.getStatus().getDescription().endsWith(" was asked to fail"), failure.getMessage());
        assertEquals("asked-to-fail", failure.getTrailers().get(GrpcBackend.REASON));
    }

    @Test
    void anExpiredDeadlineEndsTheCallAndTheBackendLearnsOfIt() {
        blocking.unaryRpc(request("warm-up")); // the channel's connection is set up outside the 300 ms
        int deadlinesBefore = a.deadlines().size() + b.deadlines().size();
        StatusRuntimeException failure = assertThrows(StatusRuntimeException.class,
                () -> SimpleServiceGrpc.newBlockingStub(channel).withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                        .unaryRpc(request("slow:10000")));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, failure.getStatus().getCode(), failure.getStatus().toString());
        List<Deadline> deadlines = new ArrayList<>(a.deadlines());
        deadlines.addAll(b.deadlines());
        assertEquals(deadlinesBefore + 1, deadlines.size(), "grpc-timeout reached the backend");
        assertTrue(deadlines.stream().anyMatch(d -> d.timeRemaining(TimeUnit.MILLISECONDS) <= 300), deadlines.toString());
        eventually().until(() -> a.cancelledCalls() + b.cancelledCalls() == 1);
    }

    @Test
    void aClientThatCancelsAStreamEndsItAtTheBackend() throws Exception {
        CountDownLatch streaming = new CountDownLatch(3);
        CompletableFuture<ClientCallStreamObserver<SimpleRequest>> call = new CompletableFuture<>();
        async.serverStreamingRpc(request("forever"), new ClientResponseObserver<SimpleRequest, SimpleResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<SimpleRequest> requestStream) {
                call.complete(requestStream);
            }

            @Override
            public void onNext(SimpleResponse value) {
                streaming.countDown();
            }

            @Override
            public void onError(Throwable failure) {
            }

            @Override
            public void onCompleted() {
            }
        });
        assertTrue(streaming.await(10, TimeUnit.SECONDS), "the stream never started");
        assertEquals(0, a.cancelledCalls() + b.cancelledCalls());
        // no deadline: only the balancer passing the client's reset on can end the backend's call
        call.get().cancel("the client has seen enough", null);
        eventually().until(() -> a.cancelledCalls() + b.cancelledCalls() == 1);
    }

    @Test
    void aBackendKilledMidStreamEndsTheCallUnavailable() throws Exception {
        Pools.useUrls(pool, a.url());
        CountDownLatch streaming = new CountDownLatch(3);
        CompletableFuture<Void> ended = new CompletableFuture<>();
        async.serverStreamingRpc(request("forever"), new StreamObserver<>() {
            @Override
            public void onNext(SimpleResponse value) {
                streaming.countDown();
            }

            @Override
            public void onError(Throwable failure) {
                ended.completeExceptionally(failure);
            }

            @Override
            public void onCompleted() {
                ended.complete(null);
            }
        });
        assertTrue(streaming.await(10, TimeUnit.SECONDS), "the stream never started");
        a.kill();
        ExecutionException failure = assertThrows(ExecutionException.class, () -> ended.get(10, TimeUnit.SECONDS));
        assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(failure.getCause()).getCode(),
                failure.getCause().toString());
    }

    @Test
    void aBackendWhoseHealthTurnsNotServingLeavesTheRotationAndComesBack() {
        assertEquals(Set.of("a", "b"), servedBy(20));
        b.serving(false);
        eventually().until(() -> lb(b).state() == BackendState.DOWN);
        assertEquals("NOT_SERVING", lb(b).lastCheck().detail());
        assertEquals(BackendState.UP, lb(a).state());
        assertEquals(Set.of("a"), servedBy(20));
        b.serving(true);
        eventually().until(() -> lb(b).state() == BackendState.UP);
        assertEquals(Set.of("a", "b"), servedBy(30));
    }

    @Test
    void withNoBackendTheClientReadsUnavailableFromTheBalancer() {
        Pools.useUrls(pool);
        StatusRuntimeException failure = assertThrows(StatusRuntimeException.class,
                () -> blocking.unaryRpc(request("anyone?")));
        assertEquals(Status.Code.UNAVAILABLE, failure.getStatus().getCode());
        String description = failure.getStatus().getDescription();
        assertTrue(description.startsWith("503 Service Unavailable: no backend is available; request id: "),
                description);
        assertFalse(description.contains("HTTP status code"), "a gRPC status, not an HTTP error: " + description);
    }

    @Test
    void aBackendThatRefusesConnectionsGivesUnavailableFromTheBalancer() {
        a.kill();
        Pools.useUrls(pool, a.url());
        StatusRuntimeException failure = assertThrows(StatusRuntimeException.class,
                () -> blocking.unaryRpc(request("anyone?")));
        assertEquals(Status.Code.UNAVAILABLE, failure.getStatus().getCode());
        assertTrue(failure.getStatus().getDescription().startsWith("502 Bad Gateway: the backend failed to answer"
                + " (connection failed); request id: "), failure.getStatus().getDescription());
    }

    @Test
    void aBackendSlowerThanTheResponseTimeoutGivesDeadlineExceededFromTheBalancer() {
        StatusRuntimeException failure = assertThrows(StatusRuntimeException.class,
                () -> blocking.unaryRpc(request("slow:8000")));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, failure.getStatus().getCode());
        assertTrue(failure.getStatus().getDescription().startsWith("504 Gateway Timeout"),
                failure.getStatus().getDescription());
        // no deadline of the client's own: the backend's call ends because the balancer reset it
        eventually().until(() -> a.cancelledCalls() + b.cancelledCalls() == 1);
    }

    private GrpcBackend backend(String name) {
        GrpcBackend backend = GrpcBackend.start(name);
        started.add(backend);
        return backend;
    }

    private Backend lb(GrpcBackend backend) {
        return pool.find(backend.url()).orElseThrow();
    }

    /** The backends that answered {@code calls} unary calls. */
    private Set<String> servedBy(int calls) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < calls; i++) {
            names.add(blocking.unaryRpc(request("who")).getResponseMessage().substring(0, 1));
        }
        return names;
    }

    private static SimpleRequest request(String message) {
        return SimpleRequest.newBuilder().setRequestMessage(message).build();
    }

    private static <T> StreamObserver<T> observer(CompletableFuture<T> result) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                result.complete(value);
            }

            @Override
            public void onError(Throwable failure) {
                result.completeExceptionally(failure);
            }

            @Override
            public void onCompleted() {
                result.complete(null);
            }
        };
    }

    private static ConditionFactory eventually() {
        return Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(25));
    }
}
