package io.lb.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.lb.testing.PackagedApplication;

/** The packaged application's startup line names the traffic port's address next to the management interface's. */
class StartupLineIT {

    private Process process;

    @AfterEach
    void stop() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void startupLineNamesTheTrafficAddress() throws Exception {
        int trafficPort = PackagedApplication.freePort();
        int managementPort = PackagedApplication.freePort();
        Path log = Files.createTempFile("startup-line", ".log");
        ProcessBuilder builder = new ProcessBuilder(List.of(PackagedApplication.java(),
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + trafficPort,
                "-Dquarkus.management.host=127.0.0.1", "-Dquarkus.management.port=" + managementPort,
                "-jar", PackagedApplication.jar())).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("LB_BACKENDS", "http://127.0.0.1:9");
        process = builder.start();

        String line = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.readAllLines(log).stream().filter(l -> l.contains(" started in ")).findFirst()
                        .orElse(""), found -> !found.isEmpty() || !process.isAlive());
        assertTrue(line.contains("Listening on: http://127.0.0.1:" + trafficPort
                + ". Management interface listening on http://127.0.0.1:" + managementPort), line + "\n"
                        + Files.readString(log));
    }
}
