package io.lb.admin;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.BackendPool;
import io.lb.config.BackendSpecParser;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Without lb.admin.token the admin API only reads; and it never appears on the traffic port. */
@QuarkusTest
class AdminReadOnlyTest {

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @TestHTTPResource("/")
    URI traffic;

    @Inject
    BackendPool pool;

    private TestBackend backend;

    @BeforeEach
    void installBackend() {
        pool.all().forEach(b -> pool.remove(b.id()));
        backend = TestBackend.start("only");
        pool.add(BackendSpecParser.parse(backend.url()));
    }

    @AfterEach
    void stopBackend() {
        backend.close();
    }

    private String admin(String path) {
        return "http://" + management.getHost() + ":" + management.getPort() + path;
    }

    @Test
    void changesAreRefusedWhenNoTokenIsConfigured() {
        given().header("Authorization", "Bearer anything").contentType(ContentType.JSON)
                .body("{\"url\": \"http://127.0.0.1:1\"}")
                .post(admin("/lb/backends")).then()
                .statusCode(403)
                .body("message", containsString("read-only because lb.admin.token is unset"));
        given().urlEncodingEnabled(false).delete(admin("/lb/backends/127.0.0.1:" + backend.port())).then()
                .statusCode(403);
        given().get(admin("/lb/backends")).then().statusCode(200).body("$", hasSize(1));
    }

    @Test
    void theTrafficPortProxiesAdminPathsInsteadOfServingThem() {
        given().get(traffic.resolve("/lb/backends")).then().statusCode(200).body(equalTo("only"));
        given().get(traffic.resolve("/lb/dashboard")).then().statusCode(200).body(equalTo("only"));
    }

    @Test
    void statsAndDashboardAreServed() {
        given().get(admin("/lb/stats")).then()
                .statusCode(200)
                .body("adminWritable", equalTo(false))
                .body("backends[0].id", equalTo(backend.url()))
                .body("backends[0].state", equalTo("UP"))
                .body("demo", nullValue());
        given().get(admin("/lb/dashboard")).then()
                .statusCode(200).contentType(containsString("text/html")).body(containsString("/lb/stats"));
        given().get(admin("/lb/dashboard/dashboard.js")).then()
                .statusCode(200).contentType(containsString("javascript"));
        given().get(admin("/lb/dashboard/../application.properties")).then().statusCode(404);
        given().get(admin("/lb/dashboard/nope.txt")).then().statusCode(404);
        // demo routes exist only in dev mode
        given().post(admin("/lb/demo/demo-1/stop")).then().statusCode(404);
    }

    @Test
    void readinessReportsTheShutdownCheckUp() {
        given().get(admin("/q/health/ready")).then()
                .statusCode(200)
                .body("checks.find { it.name == 'lb-shutdown' }.status", equalTo("UP"));
    }
}
