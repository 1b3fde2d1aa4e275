package io.lb.discovery;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/**
 * lb.discovery=kubernetes against the Fabric8 mock API server (CRUD mode): the pool follows the Service's
 * EndpointSlices, and real requests through the balancer reach ready endpoints only.
 *
 * <p>
 * Every EndpointSlice points at real HTTP servers on loopback addresses (a slice has one port for all its
 * endpoints, so each test port gets its own slice, as a Service with several slices would).
 */
@QuarkusTest
@WithKubernetesTestServer
@TestProfile(KubernetesDiscoveryTest.Profile.class)
class KubernetesDiscoveryTest {

    static final String SERVICE = "web";
    /** What the mock server's client reports as its namespace: the "pod's namespace". */
    static final String NAMESPACE = "test";

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // no lb.discovery.kubernetes.namespace: it defaults to the client's (the pod's) namespace
            return Map.of(
                    "lb.discovery", "kubernetes",
                    "lb.discovery.kubernetes.service", SERVICE,
                    "lb.discovery.kubernetes.port-name", "http",
                    "lb.backends", "http://127.0.0.1:1",
                    // new endpoints take their full share at once: this test is about discovery, not ramp-up
                    "lb.slow-start.window", "0");
        }
    }

    @Inject
    KubernetesClient client;

    @Inject
    BackendPool pool;

    @Inject
    KubernetesDiscovery discovery;

    /** The management root path (/q) is prepended for management URLs. */
    @TestHTTPResource(value = "health/ready", management = true)
    URL readiness;

    static Vertx vertx;
    static final List<HttpServer> servers = new ArrayList<>();
    /** Requests held by the "slow" backend until the test lets them go. */
    static final List<Promise<Void>> held = new ArrayList<>();

    /**
     * A backend answering with its name; {@code hold} makes it wait for the test before answering, except the
     * active health checks' probes of {@code /}: a held probe would count as the held request it waits for.
     */
    static int startBackend(String host, int port, String name, boolean hold) throws Exception {
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
                .requestHandler(request -> {
                    Promise<Void> release = Promise.promise();
                    if (hold && !request.path().equals("/")) {
                        synchronized (held) {
                            held.add(release);
                        }
                    } else {
                        release.complete();
                    }
                    release.future().onComplete(ignored -> request.response().putHeader("X-Backend", name).end(name));
                });
        server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        servers.add(server);
        return server.actualPort();
    }

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopBackends() throws Exception {
        synchronized (held) {
            held.forEach(Promise::tryComplete);
        }
        for (HttpServer server : servers) {
            server.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static EndpointSlice slice(String namespace, String name, String service, int port, Endpoint... endpoints) {
        return new EndpointSliceBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name)
                .addToLabels(KubernetesDiscovery.SERVICE_NAME_LABEL, service).endMetadata()
                .withAddressType("IPv4")
                .addNewPort().withName("metrics").withPort(1).withProtocol("TCP").endPort()
                .addNewPort().withName("http").withPort(port).withProtocol("TCP").endPort()
                .withEndpoints(endpoints)
                .build();
    }

    static Endpoint endpoint(String address, boolean ready) {
        return new EndpointBuilder().withAddresses(address).withNewConditions().withReady(ready).endConditions()
                .build();
    }

    void apply(EndpointSlice slice) {
        client.resource(slice).createOr(existing -> existing.update());
    }

    Set<String> poolIds() {
        return pool.all().stream().map(Backend::id).collect(Collectors.toCollection(TreeSet::new));
    }

    void awaitPool(String... ids) {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertEquals(new TreeSet<>(List.of(ids)), poolIds()));
    }

    /** Sends {@code count} requests through the balancer; counts answers per backend name. */
    static Map<String, Integer> answers(int count) {
        Map<String, Integer> byBackend = new HashMap<>();
        for (int i = 0; i < count; i++) {
            String backend = given().get("/hello/" + i).then().statusCode(200).extract().header("X-Backend");
            byBackend.merge(backend, 1, Integer::sum);
        }
        return byBackend;
    }

    @Test
    void poolAndTrafficFollowTheEndpointSlices() throws Exception {
        int portA = startBackend("127.0.0.1", 0, "a", false);
        int portB = startBackend("127.0.0.1", 0, "b", false);
        int portC = startBackend("127.0.0.1", 0, "c", false);
        // same port as c, another loopback address: a second endpoint in c's slice
        int portC2 = startBackend("127.0.0.2", portC, "c2", false);
        assertEquals(portC, portC2);
        String a = "http://127.0.0.1:" + portA;
        String b = "http://127.0.0.1:" + portB;
        String c = "http://127.0.0.1:" + portC;
        String c2 = "http://127.0.0.2:" + portC;

        // lb.backends is ignored in kubernetes mode; nothing is listed yet
        awaitPool();
        await().atMost(Duration.ofSeconds(15)).until(discovery::synced);
        assertTrue(StaticDiscoveryTest.kubernetesClientCreated(),
                "sanity check for StaticDiscoveryTest: here the client bean has an instance");
        // synced but no backend yet: not ready, so the Service sends this replica nothing
        given().get(readiness).then().log().ifValidationFails().statusCode(503);

        // slices of other services, or in other namespaces, are not ours
        apply(slice(NAMESPACE, "other-x", "other", portB, endpoint("127.0.0.1", true)));
        apply(slice("elsewhere", "web-x", SERVICE, portB, endpoint("127.0.0.1", true)));

        // first endpoint
        apply(slice(NAMESPACE, "web-a", SERVICE, portA, endpoint("127.0.0.1", true)));
        awaitPool(a);
        assertEquals(Map.of("a", 5), answers(5));
        given().get(readiness).then().log().ifValidationFails().statusCode(200);

        // scale out: a ready endpoint and one not ready yet
        apply(slice(NAMESPACE, "web-b", SERVICE, portB, endpoint("127.0.0.1", true)));
        apply(slice(NAMESPACE, "web-c", SERVICE, portC, endpoint("127.0.0.1", false)));
        awaitPool(a, b);
        Map<String, Integer> spread = answers(30);
        assertEquals(Set.of("a", "b"), spread.keySet(), "ready endpoints only, both used: " + spread);

        // c turns ready, and c's slice grows by a second endpoint
        apply(slice(NAMESPACE, "web-c", SERVICE, portC, endpoint("127.0.0.1", true), endpoint("127.0.0.2", true)));
        awaitPool(a, b, c, c2);
        spread = answers(60);
        assertEquals(Set.of("a", "b", "c", "c2"), spread.keySet(), spread.toString());

        // a turns not ready: drained and gone; no traffic reaches it
        apply(slice(NAMESPACE, "web-a", SERVICE, portA, endpoint("127.0.0.1", false)));
        awaitPool(b, c, c2);
        spread = answers(30);
        assertFalse(spread.containsKey("a"), spread.toString());

        // b's slice is deleted; c2 is removed from c's slice
        client.resource(slice(NAMESPACE, "web-b", SERVICE, portB)).delete();
        apply(slice(NAMESPACE, "web-c", SERVICE, portC, endpoint("127.0.0.1", true)));
        awaitPool(c);
        assertEquals(Map.of("c", 10), answers(10));

        // a comes back
        apply(slice(NAMESPACE, "web-a", SERVICE, portA, endpoint("127.0.0.1", true)));
        awaitPool(a, c);
        assertFalse(pool.find(a).orElseThrow().draining());

        // clean up for the next test
        client.resource(slice(NAMESPACE, "web-a", SERVICE, portA)).delete();
        client.resource(slice(NAMESPACE, "web-c", SERVICE, portC)).delete();
        awaitPool();
    }

    @Test
    void anEndpointThatGoesAwayFinishesItsExchangesInFlight() throws Exception {
        int slowPort = startBackend("127.0.0.1", 0, "slow", true);
        String slow = "http://127.0.0.1:" + slowPort;
        apply(slice(NAMESPACE, "web-slow", SERVICE, slowPort, endpoint("127.0.0.1", true)));
        awaitPool(slow);

        CompletableFuture<String> inFlight = CompletableFuture.supplyAsync(
                () -> given().get("/slow").then().statusCode(200).extract().body().asString());
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            synchronized (held) {
                return held.size() == 1;
            }
        });
        Backend backend = pool.find(slow).orElseThrow();
        assertEquals(1, backend.activeConnections());

        // the endpoint is terminating: not ready
        apply(slice(NAMESPACE, "web-slow", SERVICE, slowPort, endpoint("127.0.0.1", false)));
        await().atMost(Duration.ofSeconds(15)).until(backend::draining);
        assertTrue(pool.find(slow).isPresent(), "kept while its exchange is in flight");
        // no other backend, and the draining one takes nothing new
        given().get("/new").then().statusCode(503);

        synchronized (held) {
            held.get(0).complete();
        }
        assertEquals("slow", inFlight.get(15, TimeUnit.SECONDS));
        awaitPool();
        client.resource(slice(NAMESPACE, "web-slow", SERVICE, slowPort)).delete();
    }
}
