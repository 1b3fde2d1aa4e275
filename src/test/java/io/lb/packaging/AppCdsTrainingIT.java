package io.lb.packaging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.lb.testing.Behaviours;
import io.lb.testing.PackagedApplication;
import io.lb.testing.TestBackend;

/**
 * bin/appcds-train.sh on the packaged application: it must write an archive that the same JVM then accepts
 * ({@code -Xshare:on} refuses to start otherwise), and that holds the classes of the proxy path, which only a
 * training run that really proxies loads (Quarkus' static-init archive does not have them).
 */
class AppCdsTrainingIT {

    private static final Path WORK = Path.of("target", "appcds-it");
    private static final String FROM_ARCHIVE = " source: shared objects file (top)";
    private static final List<String> PROXY_PATH = List.of("io.lb.proxy.ProxyExchange", "io.lb.proxy.ResponseRelay",
            "io.lb.client.Http1Exchange", "io.lb.server.ListenerVerticle");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private TestBackend backend;
    private Process balancer;

    @AfterEach
    void cleanUp() throws InterruptedException {
        if (balancer != null && balancer.isAlive()) {
            balancer.destroy();
            if (!balancer.waitFor(20, TimeUnit.SECONDS)) {
                balancer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void trainedArchiveIsAcceptedAndHoldsTheProxyPath() throws Exception {
        String classLoading = trainThenProxyOnce();

        for (String archived : PROXY_PATH) {
            assertTrue(classLoading.contains(archived + FROM_ARCHIVE),
                    archived + " was not loaded from the trained archive, see " + WORK.resolve("jar.log"));
        }
    }

    /** Trains an archive, starts the balancer with it the same way, proxies once; returns its class log. */
    private String trainThenProxyOnce() throws Exception {
        Files.createDirectories(WORK);
        Path archive = WORK.resolve("jar.jsa").toAbsolutePath();
        String trainingLog = "jar-training.log";
        ProcessBuilder training = new ProcessBuilder("bin/appcds-train.sh", PackagedApplication.jar(), archive.toString(),
                "-XX:+UseSerialGC")
                .redirectErrorStream(true).redirectOutput(WORK.resolve(trainingLog).toFile());
        training.environment().put("JAVA", PackagedApplication.java());
        training.environment().put("TRAINING_TRAFFIC_PORT", String.valueOf(PackagedApplication.freePort()));
        training.environment().put("TRAINING_MANAGEMENT_PORT", String.valueOf(PackagedApplication.freePort()));
        training.environment().put("TRAINING_REQUESTS", "5");
        Process trainer = training.start();
        assertTrue(trainer.waitFor(180, TimeUnit.SECONDS), "training run still going, see " + log(trainingLog));
        assertEquals(0, trainer.exitValue(), log(trainingLog));
        assertTrue(Files.size(archive) > 1_000_000, "archive of " + Files.size(archive) + " bytes");

        backend = TestBackend.start("backend").behave(Behaviours.answerWithName("trained"));
        int trafficPort = PackagedApplication.freePort();
        int managementPort = PackagedApplication.freePort();
        List<String> command = new ArrayList<>(List.of(PackagedApplication.java(),
                "-XX:SharedArchiveFile=" + archive, "-Xshare:on", "-XX:+UseSerialGC", "-Xlog:class+load=info",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + trafficPort,
                "-Dquarkus.management.host=127.0.0.1", "-Dquarkus.management.port=" + managementPort,
                "-Dlb.backends=" + backend.url(), "-Dlb.shutdown.readiness-delay=0s"));
        command.addAll(List.of("-jar", PackagedApplication.jar()));
        String balancerLog = "jar.log";
        balancer = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(WORK.resolve(balancerLog).toFile()).start();
        URI ready = URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
            assertTrue(balancer.isAlive(), "the balancer exited, see " + log(balancerLog));
            return get(ready).statusCode() == 200;
        });
        HttpResponse<String> proxied = get(URI.create("http://127.0.0.1:" + trafficPort + "/"));
        assertEquals(200, proxied.statusCode());
        assertEquals("trained", proxied.body());
        return log(balancerLog);
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String log(String name) throws IOException {
        return Files.readString(WORK.resolve(name));
    }
}
