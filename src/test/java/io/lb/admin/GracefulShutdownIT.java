package io.lb.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.lb.testing.Behaviours;
import io.lb.testing.PackagedApplication;
import io.lb.testing.TestBackend;

/**
 * The packaged application (target/quarkus-app/quarkus-run.jar, built by {@code package} before failsafe runs)
 * as a separate process, stopped with SIGTERM while a slow request is in flight: readiness goes DOWN during
 * lb.shutdown.readiness-delay while traffic is still served, then new requests are turned away, the slow
 * request still completes, and the process ends cleanly (JVM status 143 for SIGTERM) well within the timeout.
 */
class GracefulShutdownIT {

    private static final Duration READINESS_DELAY = Duration.ofSeconds(1);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private TestBackend backend;
    private Process process;

    @AfterEach
    void cleanUp() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void slowRequestCompletesAcrossSigterm() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        var slow = Behaviours.holdUntil(gate, "slow");
        var fast = Behaviours.answerWithName("fast");
        backend = TestBackend.start("backend").behave(request -> {
            if (request.path().startsWith("/slow")) {
                slow.handle(request);
            } else {
                fast.handle(request);
            }
        });
        int trafficPort = PackagedApplication.freePort();
        int managementPort = PackagedApplication.freePort();
        URI traffic = URI.create("http://127.0.0.1:" + trafficPort);
        URI ready = URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready");
        process = start(trafficPort, managementPort);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(() -> {
                    assertTrue(process.isAlive(), "the application exited early, see " + log());
                    return get(ready).statusCode() == 200;
                });
        assertEquals(200, get(traffic.resolve("/fast")).statusCode());

        CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(
                HttpRequest.newBuilder(traffic.resolve("/slow")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(10)).until(() -> backend.inFlight() == 1);

        long sigterm = System.nanoTime();
        process.destroy(); // SIGTERM on Linux

        // during the readiness delay: readiness DOWN, traffic still served
        HttpResponse<String> readiness = await().atMost(READINESS_DELAY).pollInterval(Duration.ofMillis(20))
                .ignoreExceptions()
                .until(() -> get(ready), response -> response.statusCode() == 503);
        assertTrue(readiness.body().contains("lb-shutdown"), readiness.body());
        HttpResponse<String> duringDelay = get(traffic.resolve("/fast"));
        long sinceSigterm = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);
        assertTrue(sinceSigterm < READINESS_DELAY.toMillis(),
                "too slow to observe the readiness delay (" + sinceSigterm + " ms); machine overloaded?");
        assertEquals(200, duringDelay.statusCode(), "requests are still served during the readiness delay");
        assertEquals("fast", duringDelay.body());

        // after the delay: new requests are turned away while the slow one is still running
        String turnedAway = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> newRequestOutcome(traffic.resolve("/fast")), outcome -> !outcome.equals("200"));
        // Quarkus' GracefulShutdownFilter answers 503 + Connection: close until the listeners close; after that,
        // connections are refused
        assertTrue(turnedAway.equals("refused") || turnedAway.equals("503"), turnedAway);
        System.out.println("GracefulShutdownIT: a new request after the readiness delay got: " + turnedAway);
        int received = backend.requestCount();
        assertEquals(turnedAway, newRequestOutcome(traffic.resolve("/fast")));
        assertEquals(received, backend.requestCount(), "a request turned away never reaches the backend");
        assertFalse(inFlight.isDone(), "the slow request must still be running");
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm) >= READINESS_DELAY.toMillis() - 50);

        gate.countDown();
        HttpResponse<String> response = inFlight.get(SHUTDOWN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(200, response.statusCode());
        assertEquals("slow", response.body());

        assertTrue(process.waitFor(SHUTDOWN_TIMEOUT.toSeconds(), TimeUnit.SECONDS), "still running, see " + log());
        // The JVM ends a SIGTERM-initiated shutdown with status 143 (128 + 15) once every shutdown hook is done;
        // Kubernetes counts that as a normal termination. Anything else means a crash or a forced exit.
        assertEquals(143, process.exitValue(), "exit status, see " + log());
        await().atMost(Duration.ofSeconds(5)).until(() -> newRequestOutcome(traffic.resolve("/fast")).equals("refused"));
        String output = Files.readString(log());
        assertTrue(output.contains("readiness DOWN"), output);
        assertTrue(output.contains("stopped in"), output);
        assertFalse(output.contains("Timed out waiting for graceful shutdown"), output);
    }

    private String newRequestOutcome(URI uri) throws InterruptedException {
        // a fresh client: a new connection, not one kept alive from before
        HttpClient fresh = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            return String.valueOf(fresh.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
        } catch (ConnectException e) {
            return "refused";
        } catch (IOException e) {
            return "io: " + e;
        }
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private Process start(int trafficPort, int managementPort) throws IOException {
        String jar = PackagedApplication.jar();
        List<String> command = new ArrayList<>();
        command.add(PackagedApplication.java());
        command.add("-Dquarkus.http.host=127.0.0.1");
        command.add("-Dquarkus.http.port=" + trafficPort);
        command.add("-Dquarkus.management.host=127.0.0.1");
        command.add("-Dquarkus.management.port=" + managementPort);
        command.add("-Dlb.backends=" + backend.url());
        command.add("-Dlb.shutdown.readiness-delay=" + READINESS_DELAY.toMillis() + "ms");
        command.add("-Dquarkus.shutdown.timeout=" + SHUTDOWN_TIMEOUT.toSeconds() + "s");
        command.add("-jar");
        command.add(jar);
        Files.createDirectories(log().getParent());
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log().toFile()).start();
    }

    private static Path log() {
        return Path.of("target", "graceful-shutdown-it.log");
    }
}
