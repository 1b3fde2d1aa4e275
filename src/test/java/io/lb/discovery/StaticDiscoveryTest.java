package io.lb.discovery;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * lb.discovery=static (the default): the pool is lb.backends, and the Kubernetes client is never created, so
 * no cluster is contacted in dev mode, tests or a plain {@code java -jar}. The API server URL below would
 * refuse any connection.
 */
@QuarkusTest
@TestProfile(StaticDiscoveryTest.Profile.class)
class StaticDiscoveryTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "lb.backends", "http://127.0.0.1:1,http://127.0.0.1:2",
                    "lb.discovery.kubernetes.service", "ignored-in-static-mode",
                    "quarkus.kubernetes-client.api-server-url", "http://127.0.0.1:1");
        }
    }

    @Inject
    BackendPool pool;

    @Inject
    KubernetesDiscovery discovery;

    @TestHTTPResource(value = "health/ready", management = true)
    URL readiness;

    /** Has any normal-scoped or singleton bean of type KubernetesClient an instance yet? */
    static boolean kubernetesClientCreated() {
        return Stream.of(ApplicationScoped.class, Singleton.class)
                .flatMap(scope -> Arc.container().getActiveContext(scope).getState().getContextualInstances()
                        .keySet().stream())
                .anyMatch(bean -> bean.getTypes().contains(KubernetesClient.class));
    }

    @Test
    void backendsComeFromConfigurationAndNoKubernetesClientExists() {
        assertEquals(List.of("http://127.0.0.1:1", "http://127.0.0.1:2"),
                pool.all().stream().map(Backend::id).toList());
        assertFalse(discovery.active());
        assertFalse(kubernetesClientCreated(), "the Kubernetes client must stay uncreated in static mode");
        given().get(readiness).then().statusCode(200)
                .body("checks.find { it.name == 'discovery' }.data.mode", equalTo("static"))
                .body("checks.name", hasItem("discovery"));
    }
}
