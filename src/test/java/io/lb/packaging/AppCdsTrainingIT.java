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
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.lb.testing.Behaviours;
import io.lb.testing.PackagedApplication;
import io.lb.testing.TestBackend;

/**
 * bin/appcds-train.sh on the packaged application, started with {@code -jar} and with the flat class path of
 * bin/flat-classpath.sh: it must write an archive that the same JVM then accepts ({@code -Xshare:on} refuses to
 * start otherwise), and that holds the classes of the proxy path, which only a training run that really proxies
 * loads (Quarkus' static-init archive does not have them).
 */
class AppCdsTrainingIT {

    private static final Path WORK = Path.of("target", "appcds-it");
    private static final String FROM_ARCHIVE = " source: shared objects file (top)";
    private static final List<String> PROXY_PATH = List.of("io.lb.proxy.ProxyExchange", "io.lb.proxy.ResponseRelay",
            "io.lb.client.Http1Exchange", "io.lb.server.ListenerVerticle");
    /**
     * Loaded (by the kubernetes-client extension) but not linked at every start, even with static discovery: a
     * dynamic archive leaves such classes of Quarkus' class loader out, and links and keeps those of the JVM's.
     */
    private static final String LOADED_NOT_LINKED = "io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice";

    /** How the balancer is started: {@code forTraining} is bin/appcds-train.sh's LAUNCH argument. */
    private record Launch(String name, String forTraining, List<String> forJava) {
        static Launch jar() {
            return new Launch("jar", PackagedApplication.jar(), List.of("-jar", PackagedApplication.jar()));
        }

        static Launch flat(Path argfile) {
            return new Launch("flat", "@" + argfile, List.of("@" + argfile));
        }
    }

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
        String classLoading = trainThenProxyOnce(Launch.jar());

        for (String proxyPathClass : PROXY_PATH) {
            assertTrue(classLoading.contains(proxyPathClass + FROM_ARCHIVE),
                    proxyPathClass + " was not loaded from the trained archive, see " + WORK.resolve("jar.log"));
        }
    }

    @Test
    void flatClassPathIsServedWholeByItsTrainedArchive() throws Exception {
        String classLoading = trainThenProxyOnce(Launch.flat(writeFlatClassPath()));

        for (String archived : append(PROXY_PATH, LOADED_NOT_LINKED)) {
            assertTrue(classLoading.contains(archived + FROM_ARCHIVE),
                    archived + " was not loaded from the trained archive, see " + WORK.resolve("flat.log"));
        }
    }

    /** The flat class path puts the jars in one order; only the rewritten classes may exist twice. */
    @Test
    void flatClassPathHoldsEveryOtherClassOnce() throws Exception {
        Path argfile = writeFlatClassPath();
        List<String> lines = Files.readAllLines(argfile);
        String classPath = lines.get(lines.indexOf("-cp") + 1).replace("\"", "");
        String[] jars = classPath.split(":");
        String transformed = jars[0];
        assertTrue(transformed.endsWith("quarkus/transformed-bytecode.jar"), "first on the class path: " + transformed);
        Map<String, String> jarOfClass = new HashMap<>();
        List<String> inTwoJars = new ArrayList<>();
        for (String jar : jars) {
            try (ZipFile zip = new ZipFile(jar)) {
                for (ZipEntry entry : Collections.list(zip.entries())) {
                    String name = entry.getName();
                    if (!name.endsWith(".class") || name.endsWith("module-info.class")) {
                        continue;
                    }
                    String first = jarOfClass.putIfAbsent(name, jar);
                    if (first != null && !first.equals(transformed)) {
                        inTwoJars.add(name + " in " + first + " and " + jar);
                    }
                }
            }
        }
        assertTrue(jarOfClass.size() > 10_000, jarOfClass.size() + " classes on the flat class path");
        assertEquals(List.of(), inTwoJars, "their order on the flat class path decides which one loads");
    }

    /** Trains an archive, starts the balancer with it the same way, proxies once; returns its class log. */
    private String trainThenProxyOnce(Launch launch) throws Exception {
        Files.createDirectories(WORK);
        Path archive = WORK.resolve(launch.name() + ".jsa").toAbsolutePath();
        String trainingLog = launch.name() + "-training.log";
        ProcessBuilder training = new ProcessBuilder("bin/appcds-train.sh", launch.forTraining(), archive.toString(),
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
        command.addAll(launch.forJava());
        String balancerLog = launch.name() + ".log";
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

    private static Path writeFlatClassPath() throws Exception {
        Files.createDirectories(WORK);
        Path argfile = WORK.resolve("flat-classpath.args").toAbsolutePath();
        Path appDirectory = Path.of(PackagedApplication.jar()).getParent();
        Process writer = new ProcessBuilder("bin/flat-classpath.sh", appDirectory.toString(), argfile.toString())
                .redirectErrorStream(true).redirectOutput(WORK.resolve("flat-classpath.log").toFile()).start();
        assertTrue(writer.waitFor(30, TimeUnit.SECONDS), "bin/flat-classpath.sh still going");
        assertEquals(0, writer.exitValue(), log("flat-classpath.log"));
        return argfile;
    }

    private static List<String> append(List<String> list, String element) {
        List<String> longer = new ArrayList<>(list);
        longer.add(element);
        return longer;
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String log(String name) throws IOException {
        return Files.readString(WORK.resolve(name));
    }
}
