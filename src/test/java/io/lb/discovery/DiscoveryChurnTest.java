package io.lb.discovery;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.balancer.BackendState;
import io.lb.balancer.PoolRegistry;
import io.lb.health.ActiveHealthCheck;
import io.lb.testing.Behaviours;
import io.lb.testing.Pools;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServerRequest;

/**
 * EndpointSlice churn under real traffic, against the Fabric8 mock API server: re-listing the same endpoints,
 * adding one and removing one keeps the Backend objects of the endpoints that stay, with their state (DOWN by
 * active health, ejected by outlier detection, the slow-start clock), and the exchanges in flight on a removed
 * endpoint finish. Stork users meet the opposite: new instances on every refresh.
 *
 * <p>
 * The endpoints of the Service {@code api} share a port on several loopback addresses, in one slice, as a
 * Service's pods do. Six clients send requests through the balancer for the whole test; none may fail.
 */
@QuarkusTest
@WithKubernetesTestServer
@TestProfile(TwoServicesProfile.class)
class DiscoveryChurnTest {

    private static final String NS = TwoServicesProfile.NAMESPACE;
    private static final String SLICE = "api-churn";
    private static final String ADDED_SLICE = "api-churn-added";

    @Inject
    KubernetesClient client;

    @Inject
    PoolRegistry pools;

    @Inject
    ActiveHealthCheck healthCheck;

    @TestHTTPResource("/api/")
    URL api;

    BackendPool pool() {
        return pools.find(TwoServicesProfile.API).orElseThrow();
    }

    void awaitPool(TestBackend... backends) {
        Set<String> expected = Stream.of(backends).map(TestBackend::url).collect(Collectors.toCollection(TreeSet::new));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertEquals(expected,
                pool().all().stream().map(Backend::id).collect(Collectors.toCollection(TreeSet::new))));
    }

    void slice(TestBackend... ready) {
        Slices.apply(client, Slices.of(NS, SLICE, TwoServicesProfile.API, ready[0].port(), ready));
    }

    Backend backend(TestBackend backend) {
        return pool().find(backend.url()).orElseThrow();
    }

    /** Answers its name, except the probes of {@code /health}, which get {@code probeStatus}. */
    static Handler<HttpServerRequest> probesGet(int probeStatus, Handler<HttpServerRequest> traffic) {
        return request -> {
            if (request.path().equals("/health")) {
                request.response().setStatusCode(probeStatus).end();
            } else {
                traffic.handle(request);
            }
        };
    }

    /** Holds every request but the probes until the test completes its promise in {@code held}. */
    static Handler<HttpServerRequest> holding(String name, Queue<Promise<Void>> held) {
        return probesGet(200, request -> {
            Promise<Void> release = Promise.promise();
            held.add(release);
            release.future().onComplete(ignored -> request.response().end(name));
        });
    }

    /** Clients that send GETs through the balancer until stopped; every answer is counted by backend name. */
    static final class Traffic implements AutoCloseable {
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        final ExecutorService clients = Executors.newFixedThreadPool(6);
        final AtomicBoolean running = new AtomicBoolean(true);
        final Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
        final Queue<String> failures = new ConcurrentLinkedQueue<>();

        Traffic(URL base) {
            for (int c = 0; c < 6; c++) {
                int client = c;
                clients.execute(() -> {
                    for (int i = 0; running.get(); i++) {
                        URI uri = URI.create(base + "c" + client + "/" + i);
                        try {
                            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri)
                                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
                            if (response.statusCode() == 200) {
                                answers.computeIfAbsent(response.body(), name -> new AtomicInteger()).incrementAndGet();
                            } else {
                                failures.add(uri + ": " + response.statusCode() + " " + response.body());
                            }
                            Thread.sleep(2);
                        } catch (InterruptedException e) {
                            return;
                        } catch (Exception e) {
                            failures.add(uri + ": " + e);
                        }
                    }
                });
            }
        }

        int answered(String name) {
            AtomicInteger count = answers.get(name);
            return count == null ? 0 : count.get();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            clients.shutdown();
            assertTrue(clients.awaitTermination(30, TimeUnit.SECONDS), "clients finished");
        }
    }

    @Test
    void endpointsThatStayKeepTheirBackendAndRemovedOnesFinishTheirExchanges() throws Exception {
        Queue<Promise<Void>> held = new ConcurrentLinkedQueue<>();
        try (TestBackend keep = TestBackend.start("keep");
                TestBackend down = TestBackend.start("down", "127.0.0.2", keep.port());
                TestBackend ejected = TestBackend.start("ejected", "127.0.0.3", keep.port());
                TestBackend removed = TestBackend.start("removed", "127.0.0.4", keep.port());
                TestBackend added = TestBackend.start("added", "127.0.0.5", keep.port())) {
            for (TestBackend backend : List.of(keep, down, ejected, removed, added)) {
                backend.behave(probesGet(200, Behaviours.answerWithName(backend.name())));
            }
            slice(keep, down, ejected, removed);
            awaitPool(keep, down, ejected, removed);

            Traffic traffic = new Traffic(api);
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> traffic.answered("keep") > 20);

                // "down" fails its probes: DOWN after lb.pools.api.health.fall=2 rounds
                down.behave(probesGet(503, Behaviours.answerWithName("down")));
                for (int round = 0; round < 2; round++) {
                    healthCheck.probeAllNow().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                }
                assertEquals(BackendState.DOWN, backend(down).state());
                // "ejected" answers traffic with 503s (retried elsewhere): ejected after 3 in a row, for 10 minutes
                ejected.behave(probesGet(200, Behaviours.status(503)));
                await().atMost(Duration.ofSeconds(10)).until(() -> backend(ejected).ejected());
                ejected.behave(probesGet(200, Behaviours.answerWithName("ejected")));

                Map<String, Backend> before = pool().all().stream()
                        .collect(Collectors.toMap(Backend::id, backend -> backend));
                Map<String, Long> upSince = pool().all().stream()
                        .collect(Collectors.toMap(Backend::id, Backend::upSinceNanos));
                long ejectedUntil = backend(ejected).ejectedUntilNanos();
                int ejections = backend(ejected).ejections();
                int downAnswers = traffic.answered("down");
                int ejectedAnswers = traffic.answered("ejected");

                // the same endpoints re-listed in another order; one endpoint added in a second slice
                slice(removed, ejected, down, keep);
                Slices.apply(client, Slices.of(NS, ADDED_SLICE, TwoServicesProfile.API, keep.port(), added));
                awaitPool(keep, down, ejected, removed, added);
                await().atMost(Duration.ofSeconds(10)).until(() -> traffic.answered("added") > 0);
                for (TestBackend survivor : List.of(keep, down, ejected, removed)) {
                    assertSame(before.get(survivor.url()), backend(survivor), survivor.name() + ": same Backend");
                }
                assertFalse(before.containsValue(backend(added)));

                // "removed" holds its requests; its endpoint goes away while they are in flight
                removed.behave(holding("removed", held));
                await().atMost(Duration.ofSeconds(10)).until(() -> held.size() >= 2);
                Backend removedBackend = backend(removed);
                slice(keep, down, ejected);
                await().atMost(Duration.ofSeconds(15)).until(removedBackend::draining);
                assertSame(removedBackend, backend(removed), "kept while its exchanges are in flight");
                assertTrue(removedBackend.activeConnections() >= 2, "in flight: " + removedBackend.activeConnections());

                // it comes back before its retirement is over: the same Backend, serving again
                slice(keep, down, ejected, removed);
                await().atMost(Duration.ofSeconds(15)).until(() -> !removedBackend.draining());
                assertSame(removedBackend, backend(removed));

                // and goes away for good: what it holds finishes, then it leaves the pool
                slice(keep, down, ejected);
                await().atMost(Duration.ofSeconds(15)).until(removedBackend::draining);
                int inFlight = removedBackend.activeConnections();
                assertTrue(inFlight >= 2, "in flight on the removed endpoint: " + inFlight);
                int answeredBefore = traffic.answered("removed");
                removed.behave(probesGet(200, Behaviours.answerWithName("removed")));
                for (Promise<Void> release; (release = held.poll()) != null;) {
                    release.complete();
                }
                awaitPool(keep, down, ejected, added);
                assertEquals(0, removedBackend.activeConnections());
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> traffic.answered("removed") >= answeredBefore + inFlight);

                await().atMost(Duration.ofSeconds(10)).until(() -> traffic.answered("added") > 5);
                for (TestBackend survivor : List.of(keep, down, ejected)) {
                    Backend now = backend(survivor);
                    assertSame(before.get(survivor.url()), now, survivor.name() + ": same Backend");
                    assertEquals(upSince.get(survivor.url()), now.upSinceNanos(),
                            survivor.name() + ": slow start not restarted");
                }
                assertEquals(BackendState.DOWN, backend(down).state(), "DOWN stays DOWN");
                assertTrue(backend(ejected).ejected(), "ejected stays ejected");
                assertEquals(ejectedUntil, backend(ejected).ejectedUntilNanos());
                assertEquals(ejections, backend(ejected).ejections());
                assertEquals(downAnswers, traffic.answered("down"), "no traffic to the DOWN backend");
                assertEquals(ejectedAnswers, traffic.answered("ejected"), "no traffic to the ejected backend");
                assertNotSame(removedBackend, pool().find(removed.url()).orElse(null));
            } finally {
                held.forEach(Promise::tryComplete);
                traffic.close();
            }
            assertEquals(List.of(), List.copyOf(traffic.failures), "no request failed");
            Pools.awaitAllIdle(pool());
            Slices.delete(client, NS, SLICE);
            Slices.delete(client, NS, ADDED_SLICE);
            awaitPool();
        }
    }
}
