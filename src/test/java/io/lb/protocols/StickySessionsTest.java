package io.lb.protocols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.balancer.BackendState;
import io.lb.testing.Behaviours;
import io.lb.testing.OptionalFeaturesProfile;
import io.lb.testing.Pools;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** lb.sticky.enabled=true: a client keeps its backend while that backend is UP. */
@QuarkusTest
@TestProfile(OptionalFeaturesProfile.class)
class StickySessionsTest {

    static final Pattern COOKIE = Pattern.compile("LB_AFFINITY=([^;]+); Path=/; HttpOnly; SameSite=Lax");
    static final List<TestBackend> backends = new ArrayList<>();

    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TestHTTPResource("/")
    URI proxy;

    @Inject
    BackendPool pool;

    @BeforeAll
    static void start() {
        for (String name : List.of("s1", "s2", "s3")) {
            backends.add(TestBackend.start(name));
        }
    }

    @AfterAll
    static void stop() {
        backends.forEach(TestBackend::close);
    }

    @BeforeEach
    void install() {
        backends.forEach(TestBackend::reset);
        Pools.use(pool, backends.toArray(TestBackend[]::new));
    }

    @AfterEach
    void countsBackToZero() {
        pool.all().forEach(backend -> backend.transitionTo(BackendState.UP));
        Pools.awaitAllIdle(pool);
    }

    @Test
    void theFirstResponseSetsAnOpaqueAffinityCookie() throws Exception {
        HttpResponse<String> response = get(null);
        String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        Matcher matcher = COOKIE.matcher(setCookie);
        assertTrue(matcher.matches(), setCookie);
        String token = matcher.group(1);
        assertTrue(token.matches("[0-9a-f]{16}"), token);
        for (TestBackend backend : backends) {
            assertFalse(setCookie.contains(String.valueOf(backend.port())), "the cookie must not reveal the URL");
        }
    }

    @Test
    void requestsCarryingTheCookieStayWithTheirBackendWhateverTheLoad() throws Exception {
        HttpResponse<String> first = get(null);
        String token = token(first);
        String servedBy = first.body();
        // load the sticky backend so that least connections alone would send requests elsewhere
        CountDownLatch gate = new CountDownLatch(1);
        TestBackend sticky = backends.stream().filter(b -> b.name().equals(servedBy)).findFirst().orElseThrow();
        sticky.behave(Behaviours.holdUntil(gate, servedBy));
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                held.add(client.sendAsync(request(token), BodyHandlers.ofString()));
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> sticky.inFlight() == 3);
            sticky.behave(Behaviours.answerWithName(servedBy));
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> response = get(token);
                assertEquals(servedBy, response.body(), "request " + i);
                assertTrue(response.headers().firstValue("Set-Cookie").isEmpty(), "the cookie is already right");
            }
        } finally {
            gate.countDown();
        }
        for (CompletableFuture<HttpResponse<String>> response : held) {
            assertEquals(servedBy, response.get().body());
        }
    }

    @Test
    void whenItsBackendIsDownTheClientFallsBackToLeastConnectionsAndIsRepointed() throws Exception {
        HttpResponse<String> first = get(null);
        String token = token(first);
        Backend original = Pools.backendOf(pool,
                backends.stream().filter(b -> b.name().equals(first.body())).findFirst().orElseThrow());
        original.transitionTo(BackendState.DOWN);
        HttpResponse<String> moved = get(token);
        assertEquals(200, moved.statusCode());
        assertNotEquals(first.body(), moved.body());
        String newToken = token(moved);
        assertNotEquals(token, newToken);
        assertEquals(moved.body(), get(newToken).body());

        original.transitionTo(BackendState.UP);
        assertEquals(first.body(), get(token).body(), "the old cookie leads back once its backend is UP again");
    }

    @Test
    void anUnknownCookieIsIgnoredAndReplaced() throws Exception {
        Set<String> tokens = new HashSet<>();
        for (String bogus : List.of("nonsense", "", "http%3A%2F%2F127.0.0.1")) {
            HttpResponse<String> response = get(bogus);
            assertEquals(200, response.statusCode());
            tokens.add(token(response));
        }
        assertFalse(tokens.isEmpty());
    }

    private HttpResponse<String> get(String token) throws Exception {
        return client.send(request(token), BodyHandlers.ofString());
    }

    private HttpRequest request(String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(proxy.resolve("/app"));
        if (token != null) {
            builder.header("Cookie", "other=1; LB_AFFINITY=" + token + "; more=2");
        }
        return builder.build();
    }

    private static String token(HttpResponse<String> response) {
        String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        Matcher matcher = COOKIE.matcher(setCookie);
        assertTrue(matcher.matches(), setCookie);
        return matcher.group(1);
    }
}
