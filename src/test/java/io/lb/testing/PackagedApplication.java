package io.lb.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the integration tests need to run the packaged application (built by {@code package} before failsafe). */
public final class PackagedApplication {

    private PackagedApplication() {
    }

    /** The absolute path of target/quarkus-app/quarkus-run.jar; fails the test when it was not built. */
    public static String jar() {
        String jar = System.getProperty("quarkus.app.jar", "target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(Path.of(jar))) {
            fail(jar + " is missing: run ./mvnw verify (this integration test needs the packaged application)");
        }
        return Path.of(jar).toAbsolutePath().toString();
    }

    /** The java launcher of the JVM running the tests. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
