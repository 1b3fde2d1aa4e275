package io.lb.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.lb.balancer.BackendPool;
import io.lb.testing.ClientResponse;
import io.lb.testing.CorpusBackend;
import io.lb.testing.Pools;
import io.lb.testing.ResponseCorpus;
import io.lb.testing.ResponseCorpus.Outcome;
import io.lb.testing.ResponseCorpus.Scenario;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A backend cannot write into another client's response (issue 24): whatever a backend sends, malformed or valid,
 * each client gets its own response (its own token, in its header and body) or a clean 502, and nothing the
 * backend left on a connection reaches the next request, because that connection is never used again.
 * <p>
 * The cases come from {@link ResponseCorpus}, served by {@link CorpusBackend} over raw sockets; the clients are
 * raw sockets too, so that every byte a client receives, even of a cut response, is checked for foreign tokens.
 * The parallel test draws its mix from a seeded {@link Random} (the seed is printed on failure; set
 * {@code -Dcorpus.seed=...} to replay): jqwik properties would run in jqwik's own engine, outside the running
 * {@code @QuarkusTest} application and its injected pool, so the generation is plain JUnit here.
 */
@QuarkusTest
class MalformedResponseCorpusTest {

    /** Headers that only the corpus' leftovers carry: a client that gets one got another response's bytes. */
    private static final List<String> SMUGGLED = List.of("x-smuggled", "set-cookie", "x-swallow",
            "session=attacker");

    /**
     * A backend of its own for every test: connections a test spoiled (and a balancer with the bug keeps) stay with
     * that test's backend, which leaves the pool, instead of turning up in the next test.
     */
    CorpusBackend backend;

    @TestHTTPResource("/")
    URI proxy;

    @Inject
    BackendPool pool;

    /** Plain HTTP/1.1 here; {@link MalformedResponseCorpusTlsTest} runs the same tests against a TLS backend. */
    protected CorpusBackend startBackend() {
        return CorpusBackend.start();
    }

    /** Requests each of the 16 parallel clients sends. */
    protected int requestsPerClient() {
        return 300;
    }

    @BeforeEach
    void install() {
        backend = startBackend();
        Pools.useUrls(pool, backend.url());
    }

    @AfterEach
    void countsBackToZero() {
        try {
            Pools.awaitAllIdle(pool);
        } finally {
            backend.close();
        }
    }

    // ---- the reproduction of issue 24 --------------------------------------------------------------------------

    @Test
    void anIncompleteHeadGluedToAResponseNeverReachesAnotherClient() throws Exception {
        try (Client first = client()) {
            ClientResponse response = first.send("GET", "/a");
            assertTrue(response.complete(), response.raw());
            assertEquals(200, response.status(), response.raw());
            assertEquals("hello", response.body(), response.raw());
        }
        assertNextClientsAreClean("issue-24", "GET");
    }

    @Test
    void anIncompleteHeadArriving50msLateOnTheIdleConnectionNeverReachesAnotherClient() throws Exception {
        Scenario late = ResponseCorpus.named("delayed-incomplete-head-on-idle");
        String token = token(new Random());
        try (Client first = client()) {
            assertEquals(null, verdict(late, "GET", token, first.send("GET", path(late, token, null)), Set.of()));
        }
        assertTrue(backend.awaitIdleLeftoverWritten(token, Duration.ofSeconds(5)),
                "the backend found its connection busy within 50 ms: nothing to test");
        backend.awaitClosed(token, Duration.ofSeconds(1)); // the balancer's read of it, if it closes
        assertNextClientsAreClean(token, "GET");
    }

    // ---- every scenario, one at a time ---------------------------------------------------------------------------

    static Stream<Arguments> everyScenarioAndMethod() {
        return ResponseCorpus.all().stream()
                .flatMap(scenario -> scenario.methods().stream().map(method -> Arguments.of(scenario, method)));
    }

    /**
     * The scenario's client gets what the scenario allows (for valid responses and bytes beyond a framed end: its
     * own complete answer; for a 101 nobody asked for, a status outside 100–599, Content-Length with chunked or
     * differing Content-Lengths: a 502); then the next clients, on the same client connection and on fresh ones
     * (each event loop of the balancer has its own backend connections), get their own answers, on a backend
     * connection other than the one the scenario spoiled.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyScenarioAndMethod")
    void eachScenarioGetsItsOwnAnswerOrACleanFailureAndSpoilsNothingForTheNextClients(Scenario scenario,
            String method) throws Exception {
        String token = token(new Random());
        ClientResponse response;
        try (Client first = client()) {
            response = first.send(method, path(scenario, token, null));
            String verdict = verdict(scenario, method, token, response, Set.of());
            if (verdict != null) {
                fail(scenario + " " + method + ": " + verdict + "\n--- the client got:\n" + response.raw());
            }
            if (scenario.delayedOnIdle()) {
                assertTrue(backend.awaitIdleLeftoverWritten(token, Duration.ofSeconds(5)),
                        "the backend found its connection busy within 50 ms: nothing to test");
                backend.awaitClosed(token, Duration.ofSeconds(1));
            }
            if (response.keepsConnection() && response.status() >= 200) {
                // the same client connection stays on the same event loop: the spoiled connection's pool
                String next = token(new Random());
                String nextVerdict = verdict(ResponseCorpus.named("valid-length"), "GET", next,
                        first.send("GET", path(ResponseCorpus.named("valid-length"), next, null)), Set.of());
                assertEquals(null, nextVerdict, "the next request on the same client connection, after " + scenario);
            }
        }
        assertNextClientsAreClean(token, method);
    }

    /** The control of the test above: a valid response does leave its connection for the next request. */
    @Test
    void aValidResponseLeavesItsBackendConnectionForTheNextRequest() throws Exception {
        Scenario valid = ResponseCorpus.named("valid-length");
        String first = token(new Random());
        String second = token(new Random());
        try (Client client = client()) {
            assertEquals(null, verdict(valid, "GET", first, client.send("GET", path(valid, first, null)), Set.of()));
            assertEquals(null, verdict(valid, "GET", second, client.send("GET", path(valid, second, null)),
                    Set.of()));
        }
        assertEquals(backend.served(first).connection(), backend.served(second).connection(),
                "without reuse the tests of this class could not tell a closed connection from luck");
    }

    /**
     * Valid requests from the same client connection would land on the same event loop; these come from fresh
     * connections, so that one of them lands on the event loop of whatever connection {@code after} left behind.
     */
    private void assertNextClientsAreClean(String after, String method) throws Exception {
        Scenario valid = ResponseCorpus.named("valid-length");
        CorpusBackend.Served spoiled = backend.served(after);
        for (int i = 0; i < 8; i++) {
            String token = token(new Random());
            try (Client next = client()) {
                ClientResponse response = next.send("GET", path(valid, token, null));
                String verdict = verdict(valid, "GET", token, response, Set.of());
                if (verdict != null) {
                    fail("a later client, after " + after + " (" + method + "): " + verdict
                            + "\n--- the client got:\n" + response.raw());
                }
            }
            if (spoiled != null && mustNotReuse(after)) {
                assertNotEquals(spoiled.connection(), backend.served(token).connection(),
                        "a later request was sent on the backend connection that " + after + " spoiled");
            }
        }
        assertEquals(List.of(), backend.reuses(), "requests sent on connections that should have been closed");
    }

    private boolean mustNotReuse(String token) {
        CorpusBackend.Served served = backend.served(token);
        if (served.scenario().equals("issue-24")) {
            return true;
        }
        return ResponseCorpus.named(served.scenario()).mustNotReuse();
    }

    // ---- the class: many clients, a random mix, in parallel -------------------------------------------------------

    /** One request of the parallel test whose response did not pass. */
    private record Suspect(Scenario scenario, String method, String token, Long split, ClientResponse response,
            String verdict) {
    }

    /**
     * 16 clients send a seeded random mix of the scenarios (GET, retried, and POST, not retried; responses split
     * into random fragments with small delays), on kept-alive and fresh client connections: no client ever gets a
     * byte of another request's response, each gets what its scenario allows, no spoiled backend connection carries
     * another request, and every active count returns to zero.
     * <p>
     * The 50-ms-late leftovers are left out of this mix (the tests above have them, on a connection known to be
     * idle): under load a pooled connection is seldom idle for 50 ms, and when it is, a request written at the very
     * moment the late bytes arrive cannot be told from their answer by any balancer. Measured with a fix that closes
     * such connections: of 4 to 14 late leftovers per run, up to 4 crossed a request on the wire.
     */
    @Test
    void manyClientsInParallelOnlyEverGetTheirOwnResponseOrACleanFailure() throws Exception {
        long seed = Long.getLong("corpus.seed", System.nanoTime());
        int clients = 16;
        int requestsEach = requestsPerClient();
        List<Scenario> valid = ResponseCorpus.all().stream().filter(s -> s.name().startsWith("valid-")).toList();
        List<Scenario> hostile = ResponseCorpus.all().stream()
                .filter(s -> !s.name().startsWith("valid-") && !s.delayedOnIdle()).toList();
        Queue<Suspect> suspects = new ConcurrentLinkedQueue<>();
        Queue<String> clientFailures = new ConcurrentLinkedQueue<>();
        Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
        AtomicLong sent = new AtomicLong();
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                Random random = new Random(seed + c);
                running.add(threads.submit(() -> {
                    Client client = null;
                    try {
                        for (int i = 0; i < requestsEach && suspects.size() < 200; i++) {
                            Scenario scenario = random.nextInt(100) < 45 ? valid.get(random.nextInt(valid.size()))
                                    : hostile.get(random.nextInt(hostile.size()));
                            String method = scenario.methods().get(random.nextInt(scenario.methods().size()));
                            String token = token(random);
                            Long split = random.nextBoolean() ? random.nextLong() : null;
                            if (client == null || random.nextInt(100) < 15) {
                                closeQuietly(client);
                                client = client();
                            }
                            ClientResponse response = client.send(method, path(scenario, token, split));
                            sent.incrementAndGet();
                            String verdict = verdict(scenario, method, token, response, Set.of());
                            if (verdict != null) {
                                suspects.add(new Suspect(scenario, method, token, split, response, verdict));
                            }
                            outcomes.computeIfAbsent(scenario + " " + method + " -> " + describe(response),
                                    k -> new LongAdder()).increment();
                            if (!response.keepsConnection() || response.status() < 200) {
                                closeQuietly(client);
                                client = null;
                            }
                        }
                    } catch (IOException e) {
                        clientFailures.add("client failed: " + e);
                    } finally {
                        closeQuietly(client);
                    }
                    return null;
                }));
            }
            for (Future<?> future : running) {
                future.get(120, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        List<String> failures = new ArrayList<>(clientFailures);
        for (Suspect suspect : suspects) {
            failures.add(suspect.scenario() + " " + suspect.method() + " " + suspect.token()
                    + (suspect.split() == null ? "" : " split=" + suspect.split()) + ": " + suspect.verdict()
                    + "\n--- got:\n" + suspect.response().raw());
        }
        String summary = "seed " + seed + " (-Dcorpus.seed=" + seed + " replays it), " + sent.get()
                + " requests; outcomes:\n" + new TreeMap<>(outcomes).entrySet().stream()
                        .map(e -> "  " + e.getKey() + ": " + e.getValue()).reduce("", (a, b) -> a + b + "\n");
        System.out.println("manyClientsInParallel: " + summary);
        if (!failures.isEmpty()) {
            fail(failures.size() + " clients got what was not theirs to get or not allowed, " + summary
                    + "\nfirst ones:\n" + failures.stream().limit(10).reduce("", (a, b) -> a + b + "\n\n"));
        }
        assertEquals(List.of(), backend.reuses().stream().limit(10).toList(),
                "requests sent on backend connections that should have been closed; " + summary);
        Pools.awaitAllIdle(pool);
    }

    // ---- what a client may get ---------------------------------------------------------------------------------

    /** Null if {@code response} is what the scenario allows and holds nothing of another request's; else why not. */
    static String verdict(Scenario scenario, String method, String token, ClientResponse response,
            Set<Outcome> alsoAllowed) {
        Matcher tokens = ResponseCorpus.TOKEN.matcher(response.raw());
        while (tokens.find()) {
            if (!tokens.group().equals(token)) {
                return "CROSS-CLIENT BYTES: another request's token " + tokens.group();
            }
        }
        String lower = response.raw().toLowerCase(Locale.ROOT);
        for (String smuggled : SMUGGLED) {
            if (lower.contains(smuggled)) {
                return "CROSS-CLIENT BYTES: a leftover's " + smuggled;
            }
        }
        for (String[] header : response.headers()) {
            if (header[1].contains("HTTP/1.") || header[1].indexOf('\0') >= 0) {
                return "a header carries backend bytes: " + header[0] + ": " + header[1];
            }
        }
        Outcome outcome;
        if (!response.complete()) {
            outcome = Outcome.ABORT;
        } else if (response.status() == 502 && scenario.status() != 502) {
            if (!isCleanBadGateway(response)) {
                return "a 502 that is not the balancer's clean one";
            }
            outcome = Outcome.BAD_GATEWAY;
        } else {
            if (response.status() != scenario.status()) {
                return "status " + response.status() + ", expected " + scenario.status() + " or " + scenario.allowed();
            }
            if (!response.all("X-Token").equals(List.of(token))) {
                return "X-Token " + response.all("X-Token") + " instead of its own";
            }
            if (scenario.hasBody(method) && !response.body().contains(token)) {
                return "its own token is missing from the body";
            }
            if (!scenario.hasBody(method) && !response.body().isEmpty()) {
                return "a body where there can be none";
            }
            outcome = Outcome.OWN;
        }
        if (!scenario.allowed().contains(outcome) && !alsoAllowed.contains(outcome)) {
            return outcome + " where " + scenario.allowed() + " is expected"
                    + (response.problem() != null ? " (" + response.problem() + ")" : "");
        }
        return null;
    }

    static boolean isCleanBadGateway(ClientResponse response) {
        return response.complete() && response.status() == 502 && response.body().startsWith("502 Bad Gateway")
                && !response.body().contains("HTTP/1.") && !ResponseCorpus.TOKEN.matcher(response.raw()).find()
                && response.header("X-Token") == null;
    }

    private static String describe(ClientResponse response) {
        return response.complete() ? String.valueOf(response.status()) : "cut (" + response.problem() + ")";
    }

    // ---- raw clients ---------------------------------------------------------------------------------------------

    static String token(Random random) {
        byte[] bytes = new byte[6];
        random.nextBytes(bytes);
        return "tok-" + HexFormat.of().formatHex(bytes);
    }

    static String path(Scenario scenario, String token, Long split) {
        return "/c/" + scenario.name() + "/" + token + (split == null ? "" : "?split=" + split);
    }

    private Client client() throws IOException {
        return new Client(proxy);
    }

    private static void closeQuietly(Client client) {
        if (client != null) {
            client.close();
        }
    }

    /** One client connection to the balancer, kept alive across requests. */
    static final class Client implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Client(URI proxy) throws IOException {
            socket = new Socket(proxy.getHost(), proxy.getPort());
            socket.setSoTimeout(10_000);
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        ClientResponse send(String method, String target) throws IOException {
            StringBuilder request = new StringBuilder(method).append(' ').append(target)
                    .append(" HTTP/1.1\r\nHost: corpus.test\r\n");
            if (target.contains("304")) {
                request.append("If-None-Match: \"e\"\r\n");
            }
            if (method.equals("POST")) {
                request.append("Content-Type: text/plain\r\nContent-Length: 4\r\n\r\ndata");
            } else {
                request.append("\r\n");
            }
            try {
                out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (IOException e) {
                return new ClientResponse(-1, List.of(), "", "", false, "request not sent: " + e);
            }
            return ClientResponse.read(in, method.equals("HEAD"));
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
