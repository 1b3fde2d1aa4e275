package io.lb.discovery;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.balancer.PoolRegistry;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * Two Services into two pools through one informer, against the Fabric8 mock API server: each pool gets its own
 * Service's endpoints, the routes send real requests to each, and a change to one Service leaves the other pool's
 * backends alone.
 */
@QuarkusTest
@WithKubernetesTestServer
@TestProfile(TwoServicesProfile.class)
class TwoServicesDiscoveryTest {

    @Inject
    KubernetesClient client;

    @Inject
    PoolRegistry pools;

    @Inject
    KubernetesDiscovery discovery;

    @TestHTTPResource(value = "health/ready", management = true)
    URL readiness;

    BackendPool pool(String name) {
        return pools.find(name).orElseThrow();
    }

    static Set<String> ids(BackendPool pool) {
        return pool.all().stream().map(Backend::id).collect(Collectors.toCollection(TreeSet::new));
    }

    void awaitPool(String pool, TestBackend... backends) {
        Set<String> expected = Stream.of(backends).map(TestBackend::url).collect(Collectors.toCollection(TreeSet::new));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertEquals(expected, ids(pool(pool)), pool));
    }

    /** Sends {@code count} requests to {@code path}; counts the answers per backend name. */
    static Map<String, Integer> answers(String path, int count) {
        Map<String, Integer> byBackend = new HashMap<>();
        for (int i = 0; i < count; i++) {
            String name = given().get(path + "/" + i).then().statusCode(200).extract().body().asString();
            byBackend.merge(name, 1, Integer::sum);
        }
        return byBackend;
    }

    @Test
    void eachPoolFollowsItsOwnService() {
        try (TestBackend api1 = TestBackend.start("api1");
                TestBackend api2 = TestBackend.start("api2", "127.0.0.2", api1.port());
                TestBackend web1 = TestBackend.start("web1");
                TestBackend web2 = TestBackend.start("web2", "127.0.0.3", web1.port())) {
            await().atMost(Duration.ofSeconds(15)).until(discovery::synced);
            given().get(readiness).then().log().ifValidationFails()
                    .body("checks.find { it.name == 'discovery' }.status", equalTo("UP"))
                    .body("checks.find { it.name == 'discovery' }.data.'pool.api'", equalTo("test/api"))
                    .body("checks.find { it.name == 'discovery' }.data.'pool.default'", equalTo("test/web"))
                    .body("checks.find { it.name == 'discovery' }.data.'pool.api.synced'", equalTo(true));
            assertFalse(ids(pool("api")).contains(TwoServicesProfile.IGNORED_BACKEND),
                    "lb.pools.api.backends is ignored with discovery");

            String ns = TwoServicesProfile.NAMESPACE;
            Slices.apply(client, Slices.of(ns, "api-1", TwoServicesProfile.API, api1.port(), api1, api2));
            Slices.apply(client, Slices.of(ns, "web-1", TwoServicesProfile.WEB, web1.port(), web1, web2));
            // neither another Service of the namespace nor the same Service in another namespace is ours
            Slices.apply(client, Slices.of(ns, "other-1", "other", web1.port(), web1));
            Slices.apply(client, Slices.of("elsewhere", "api-1", TwoServicesProfile.API, web1.port(), web1));
            awaitPool("api", api1, api2);
            awaitPool("default", web1, web2);

            assertEquals(Set.of("api1", "api2"), answers("/api", 40).keySet());
            assertEquals(Set.of("web1", "web2"), answers("/web", 40).keySet());

            List<Backend> webBefore = pool("default").all();
            Slices.apply(client, Slices.of(ns, "api-1", TwoServicesProfile.API, api1.port(), api1));
            awaitPool("api", api1);
            Backend api1Backend = pool("api").find(api1.url()).orElseThrow();
            assertEquals(Set.of("api1"), answers("/api", 10).keySet());
            assertEquals(Set.of("web1", "web2"), answers("/web", 40).keySet());
            for (Backend before : webBefore) {
                assertSame(before, pool("default").find(before.id()).orElseThrow(), "the other pool keeps its backends");
                assertFalse(before.draining(), before.id());
            }

            Slices.apply(client, Slices.of(ns, "web-1", TwoServicesProfile.WEB, web1.port(), web2));
            awaitPool("default", web2);
            assertSame(api1Backend, pool("api").find(api1.url()).orElseThrow());
            assertFalse(api1Backend.draining());
            assertEquals(Set.of("api1"), answers("/api", 10).keySet());
            assertEquals(Set.of("web2"), answers("/web", 10).keySet());

            Slices.delete(client, ns, "api-1");
            Slices.delete(client, ns, "web-1");
            Slices.delete(client, ns, "other-1");
            Slices.delete(client, "elsewhere", "api-1");
            awaitPool("api");
            awaitPool("default");
            assertTrue(ids(pool("api")).isEmpty());
        }
    }
}
