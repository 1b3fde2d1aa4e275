package io.lb.admin;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.BackendPool;
import io.lb.config.BackendSpecParser;
import io.lb.testing.Behaviours;
import io.lb.testing.OptionalFeaturesProfile;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

@QuarkusTest
@TestProfile(OptionalFeaturesProfile.class)
class AdminApiTest {

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @TestHTTPResource("/")
    URI traffic;

    @Inject
    BackendPool pool;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private TestBackend a;
    private TestBackend b;

    @BeforeEach
    void installBackends() {
        pool.all().forEach(backend -> pool.remove(backend.id()));
        a = TestBackend.start("a");
        b = TestBackend.start("b");
        pool.add(BackendSpecParser.parse(a.url()));
    }

    @AfterEach
    void stopBackends() {
        a.close();
        b.close();
    }

    private String admin(String path) {
        return "http://" + management.getHost() + ":" + management.getPort() + path;
    }

    private RequestSpecification authorized() {
        return given().urlEncodingEnabled(false).header("Authorization", "Bearer " + OptionalFeaturesProfile.ADMIN_TOKEN);
    }

    private static String encoded(String url) {
        return URLEncoder.encode(url, StandardCharsets.UTF_8);
    }

    private static String shortId(TestBackend backend) {
        return "127.0.0.1:" + backend.port();
    }

    @Test
    void listsBackendsWithStateCountsAndWeight() {
        given().get(admin("/lb/backends")).then()
                .statusCode(200)
                .contentType(ContentType.JSON)
                .body("$", hasSize(1))
                .body("[0].id", equalTo(a.url()))
                .body("[0].url", equalTo(a.url()))
                .body("[0].state", equalTo("UP"))
                .body("[0].activeConnections", equalTo(0))
                .body("[0].weight", equalTo(1))
                .body("[0].requests", equalTo(0))
                .body("[0].errors", equalTo(0));
    }

    @Test
    void addsABackendThenRefusesTheSameOneAgain() {
        authorized().contentType(ContentType.JSON)
                .body("{\"url\": \"" + b.url() + "\", \"weight\": 3}")
                .post(admin("/lb/backends")).then()
                .statusCode(201)
                .header("Location", "/lb/backends/" + encoded(b.url()))
                .body("id", equalTo(b.url()))
                .body("weight", equalTo(3))
                .body("state", equalTo("UP"));
        assertEquals(3, pool.find(b.url()).orElseThrow().weight());

        authorized().contentType(ContentType.JSON)
                .body("{\"url\": \"" + b.url() + "\"}")
                .post(admin("/lb/backends")).then()
                .statusCode(409)
                .body("message", containsString("already exists"));
    }

    @Test
    void changesNeedTheBearerToken() {
        given().contentType(ContentType.JSON).body("{\"url\": \"" + b.url() + "\"}")
                .post(admin("/lb/backends")).then()
                .statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer"));
        given().header("Authorization", "Bearer wrong-token").contentType(ContentType.JSON)
                .body("{\"url\": \"" + b.url() + "\"}")
                .post(admin("/lb/backends")).then()
                .statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer"));
        given().urlEncodingEnabled(false).delete(admin("/lb/backends/" + shortId(a))).then().statusCode(401);
        given().urlEncodingEnabled(false).post(admin("/lb/backends/" + shortId(a) + "/drain")).then().statusCode(401);
        assertEquals(1, pool.all().size());
        assertEquals(false, pool.find(a.url()).orElseThrow().draining());
    }

    @Test
    void rejectsBadInputWithAMessage() {
        authorized().contentType(ContentType.JSON).body("{\"url\": ")
                .post(admin("/lb/backends")).then()
                .statusCode(400).body("message", containsString("malformed JSON"));
        authorized().contentType(ContentType.JSON).body("{\"url\": \"ftp://127.0.0.1:21\"}")
                .post(admin("/lb/backends")).then()
                .statusCode(400).body("message", containsString("unsupported scheme 'ftp'"));
        authorized().contentType(ContentType.JSON).body("{\"url\": \"" + b.url() + "\", \"weight\": 0}")
                .post(admin("/lb/backends")).then()
                .statusCode(400).body("message", containsString("not a positive integer"));
        authorized().contentType(ContentType.JSON).body("{\"weight\": 2}")
                .post(admin("/lb/backends")).then()
                .statusCode(400).body("message", containsString("\"url\" is required"));
        authorized().contentType(ContentType.JSON).body("{\"weight\": \"heavy\"}")
                .put(admin("/lb/backends/" + shortId(a) + "/weight")).then()
                .statusCode(400).body("message", containsString("not a positive integer"));
        authorized().contentType(ContentType.JSON).body("{\"weight\": 2}")
                .put(admin("/lb/backends/127.0.0.1:1/weight")).then()
                .statusCode(404).body("message", containsString("no backend"));
        assertEquals(1, pool.all().size());
    }

    @Test
    void acceptsTheEncodedUrlAndTheShortFormAsId() {
        given().urlEncodingEnabled(false).get(admin("/lb/backends/" + encoded(a.url()))).then()
                .statusCode(200).body("id", equalTo(a.url()));
        given().urlEncodingEnabled(false).get(admin("/lb/backends/" + shortId(a))).then()
                .statusCode(200).body("id", equalTo(a.url()));
        authorized().contentType(ContentType.JSON).body("{\"weight\": 7}")
                .put(admin("/lb/backends/" + encoded(a.url()) + "/weight")).then()
                .statusCode(200).body("weight", equalTo(7));
        authorized().contentType(ContentType.JSON).body("{\"weight\": 4}")
                .put(admin("/lb/backends/" + shortId(a) + "/weight")).then()
                .statusCode(200).body("weight", equalTo(4));
        assertEquals(4, pool.find(a.url()).orElseThrow().weight());
    }

    @Test
    void drainedBackendGetsNoNewRequestsUntilUndrained() throws Exception {
        pool.add(BackendSpecParser.parse(b.url()));
        authorized().post(admin("/lb/backends/" + shortId(a) + "/drain")).then()
                .statusCode(200).body("state", equalTo("DRAINING")).body("draining", equalTo(true));
        for (int i = 0; i < 5; i++) {
            assertEquals("b", send("/drained").join().body());
        }
        assertEquals(0, a.requestCount());
        authorized().post(admin("/lb/backends/" + shortId(a) + "/undrain")).then()
                .statusCode(200).body("state", equalTo("UP"));
        assertEquals(false, pool.find(a.url()).orElseThrow().draining());
    }

    @Test
    void deleteDrainsThenRemovesOnceInFlightRequestsFinish() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        a.behave(Behaviours.holdUntil(gate, "a"));
        CompletableFuture<HttpResponse<String>> inFlight = send("/slow");
        await().atMost(Duration.ofSeconds(10)).until(() -> a.inFlight() == 1);
        pool.add(BackendSpecParser.parse(b.url()));

        authorized().delete(admin("/lb/backends/" + encoded(a.url()))).then()
                .statusCode(202)
                .body("removed", equalTo(false))
                .body("state", equalTo("DRAINING"))
                .body("activeConnections", equalTo(1));
        given().urlEncodingEnabled(false).get(admin("/lb/backends/" + shortId(a))).then()
                .statusCode(200)
                .body("state", equalTo("DRAINING"))
                .body("retiring", equalTo(true));
        // new requests go elsewhere while the old one is still running
        assertEquals("b", send("/new").join().body());
        assertEquals(1, a.requestCount());

        gate.countDown();
        HttpResponse<String> response = inFlight.get(10, TimeUnit.SECONDS);
        assertEquals(200, response.statusCode());
        assertEquals("a", response.body());
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.find(a.url()).isEmpty());
        given().urlEncodingEnabled(false).get(admin("/lb/backends/" + shortId(a))).then().statusCode(404);
    }

    @Test
    void deletingAnIdleBackendRemovesItAtOnce() {
        authorized().delete(admin("/lb/backends/" + shortId(a))).then()
                .statusCode(200)
                .body("removed", equalTo(true));
        assertEquals(0, pool.all().size());
        authorized().delete(admin("/lb/backends/" + shortId(a))).then().statusCode(404)
                .body("message", notNullValue());
    }

    @Test
    void readsDoNotNeedTheToken() {
        given().get(admin("/lb/backends")).then().statusCode(200);
        given().get(admin("/lb/stats")).then().statusCode(200).body("adminWritable", equalTo(true));
    }

    private CompletableFuture<HttpResponse<String>> send(String path) {
        HttpRequest request = HttpRequest.newBuilder(traffic.resolve(path)).timeout(Duration.ofSeconds(20)).GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

}
