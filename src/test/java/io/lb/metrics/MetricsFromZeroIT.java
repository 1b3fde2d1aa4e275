package io.lb.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.lb.testing.Metrics;
import io.lb.testing.PackagedApplication;
import io.lb.testing.TestBackend;

/**
 * The packaged application, started with two pools (one with its own {@code retry.on-statuses}) and a route, is
 * scraped the moment it is ready, before any request: every counter whose label values are known already exists,
 * at 0, so that {@code rate()} and ratios over it are defined from the first scrape. Each series is named in full.
 */
class MetricsFromZeroIT {

    private Process process;
    private TestBackend web;
    private TestBackend api;
    private URI management;

    @BeforeEach
    void start() throws Exception {
        web = TestBackend.start("web");
        api = TestBackend.start("api");
        int trafficPort = PackagedApplication.freePort();
        int managementPort = PackagedApplication.freePort();
        Path log = Files.createTempFile("metrics-from-zero", ".log");
        process = new ProcessBuilder(List.of(PackagedApplication.java(),
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + trafficPort,
                "-Dquarkus.management.host=127.0.0.1", "-Dquarkus.management.port=" + managementPort,
                "-Dlb.pools.web.backends=" + web.url(),
                "-Dlb.pools.api.backends=" + api.url(),
                "-Dlb.pools.api.retry.on-statuses=503,429",
                "-Dlb.routes.api.pool=api", "-Dlb.routes.api.path-prefix=/api",
                "-Dlb.routes.web.pool=web",
                "-jar", PackagedApplication.jar())).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        management = URI.create("http://127.0.0.1:" + managementPort + "/");
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                .until(() -> {
                    assertTrue(process.isAlive(), () -> "the application exited:\n" + read(log));
                    return http.send(HttpRequest.newBuilder(management.resolve("/q/health/ready"))
                            .timeout(Duration.ofSeconds(2)).build(), BodyHandlers.discarding()).statusCode() == 200;
                });
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        web.close();
        api.close();
    }

    @Test
    void countersWithKnownLabelValuesExistAtZeroBeforeTheFirstRequest() {
        Map<String, Double> samples = samples(Metrics.scrape(management));

        for (String reason : List.of("connect", "stale_connection", "reset_unread", "closed", "protocol_error",
                "timeout", "queue_timeout", "queue_full", "status_502", "status_503", "status_504", "status_429")) {
            assertZero(samples, "lb_retries_total{reason=\"" + reason + "\"}");
        }
        for (String reason : List.of("body_too_large", "budget_exhausted", "no_backend")) {
            assertZero(samples, "lb_retries_abandoned_total{reason=\"" + reason + "\"}");
        }
        for (String reason : List.of("queue_full", "request_header_timeout", "request_body_timeout", "rate_limited")) {
            assertZero(samples, "lb_rejected_total{reason=\"" + reason + "\"}");
        }
        for (String[] route : new String[][] { { "api", "api", api.url() }, { "web", "web", web.url() } }) {
            String where = "pool=\"" + route[0] + "\",route=\"" + route[1] + "\"";
            String backend = ",backend=\"" + route[2] + "\"";
            for (String statusClass : List.of("2xx", "3xx", "4xx", "5xx")) {
                assertZero(samples, "lb_requests_total{" + where + backend + ",status_class=\"" + statusClass
                        + "\",outcome=\"success\"}");
            }
            assertZero(samples, "lb_requests_total{" + where + backend + ",status_class=\"5xx\",outcome=\"backend_error\"}");
            assertZero(samples, "lb_requests_total{" + where + backend + ",status_class=\"5xx\",outcome=\"timeout\"}");
            assertZero(samples, "lb_requests_total{" + where + ",backend=\"none\",status_class=\"5xx\",outcome=\"no_backend\"}");
            assertZero(samples, "lb_request_duration_seconds_count{" + where + backend + "}");
            assertZero(samples, "lb_request_duration_seconds_bucket{" + where + backend + ",le=\"0.001\"}");
            assertZero(samples, "lb_backend_ejections_total{pool=\"" + route[0] + "\"" + backend + "}");
            assertZero(samples, "lb_backend_protocol_errors_total{pool=\"" + route[0] + "\"" + backend
                    + ",kind=\"bytes_after_response\"}");
        }
        String none = "pool=\"none\",route=\"none\",backend=\"none\"";
        assertZero(samples, "lb_requests_total{" + none + ",status_class=\"4xx\",outcome=\"no_route\"}");
        assertZero(samples, "lb_requests_total{" + none + ",status_class=\"4xx\",outcome=\"rejected\"}");
    }

    private static void assertZero(Map<String, Double> samples, String series) {
        assertEquals(0.0, samples.get(canonical(series)), () -> series + " should exist at 0; scraped: "
                + samples.keySet().stream().filter(s -> s.startsWith(series.substring(0, series.indexOf('{'))))
                        .sorted().toList());
    }

    /** Every sample by its name and labels, the labels sorted by name. */
    private static Map<String, Double> samples(String scrape) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(canonical(line.substring(0, space)), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    private static String canonical(String series) {
        int brace = series.indexOf('{');
        if (brace < 0) {
            return series;
        }
        List<String> labels = new java.util.ArrayList<>(List.of(series.substring(brace + 1, series.length() - 1)
                .split(",(?=[a-z_]+=\")")));
        labels.removeIf(String::isBlank);
        java.util.Collections.sort(labels);
        return series.substring(0, brace) + "{" + String.join(",", labels) + "}";
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
