package io.lb.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import io.lb.testing.ResponseCorpus.Plan;
import io.lb.testing.ResponseCorpus.Scenario;

/**
 * A backend that speaks HTTP/1.1 by hand over plain sockets, one thread per kept-alive connection, so that it can
 * send what no HTTP server would: it answers {@code /c/<scenario>/<token>} with the {@link ResponseCorpus}
 * scenario built for that token, {@code ?split=<seed>} writing the response proper in random fragments with
 * small delays. Anything else (health probes) gets a plain 200.
 * <p>
 * It numbers its connections and remembers, for every token, which connection served it, so that a test can tell
 * whether the balancer reused a connection it should have closed. Leftover bytes are only ever written in the same
 * write as the end of the response they follow, or after the connection was idle for 50 ms: never while the
 * balancer could already have handed the connection to another request, so that a leak is the balancer's doing.
 */
public final class CorpusBackend implements AutoCloseable {

    /** One request, as the backend saw it. */
    public record Served(String token, String scenario, String method, int connection, int indexOnConnection) {
    }

    /**
     * A request that arrived on a connection the balancer should have closed: after the backend left bytes on it
     * that no request owned, or after a response whose scenario says the connection must not be reused.
     */
    public record Reuse(Served after, Served victim, boolean idleLeftover) {
    }

    private final ServerSocket server;
    private final Thread acceptor;
    private final AtomicInteger connections = new AtomicInteger();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Map<String, Served> served = new ConcurrentHashMap<>();
    private final Queue<Reuse> reuses = new ConcurrentLinkedQueue<>();
    private final Set<Integer> closedConnections = ConcurrentHashMap.newKeySet();
    private final Set<String> idleLeftoversWritten = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    private final boolean tls;

    private CorpusBackend(boolean tls) throws IOException {
        this.tls = tls;
        server = tls
                ? TestCertificates.get().serverContext().getServerSocketFactory().createServerSocket(0, 200,
                        InetAddress.getLoopbackAddress())
                : new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "corpus-backend-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static CorpusBackend start() {
        return start(false);
    }

    /** With {@code tls}, over TLS with {@link TestCertificates}' certificate (for localhost and 127.0.0.1). */
    public static CorpusBackend start(boolean tls) {
        try {
            return new CorpusBackend(tls);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String url() {
        return (tls ? "https" : "http") + "://127.0.0.1:" + server.getLocalPort();
    }

    public int connectionsAccepted() {
        return connections.get();
    }

    public Served served(String token) {
        return served.get(token);
    }

    public List<Reuse> reuses() {
        return List.copyOf(reuses);
    }

    /** Waits until the 50-ms-late leftovers for {@code token} were written; false if they never were. */
    public boolean awaitIdleLeftoverWritten(String token, Duration timeout) throws InterruptedException {
        return waitFor(() -> idleLeftoversWritten.contains(token), timeout);
    }

    /** Waits until the balancer closed the connection that served {@code token}; false if it did not in time. */
    public boolean awaitClosed(String token, Duration timeout) throws InterruptedException {
        return waitFor(() -> served.containsKey(token) && closedConnections.contains(served.get(token).connection()),
                timeout);
    }

    public void reset() {
        served.clear();
        reuses.clear();
        idleLeftoversWritten.clear();
    }

    @Override
    public void close() {
        closing = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket socket : open) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private static boolean waitFor(java.util.function.BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    private void accept() {
        while (!closing) {
            try {
                Socket socket = server.accept();
                int id = connections.incrementAndGet();
                open.add(socket);
                Thread thread = new Thread(() -> serve(socket, id), "corpus-backend-" + id);
                thread.setDaemon(true);
                thread.start();
            } catch (IOException e) {
                if (!closing) {
                    System.err.println("corpus backend: accept failed: " + e);
                }
            }
        }
    }

    /** What the connection holds that no request owns: set when leftovers were written. */
    private static final class ConnectionState {
        Served leftoverOf;
        boolean idleLeftover;
    }

    private void serve(Socket socket, int id) {
        ConnectionState state = new ConnectionState();
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            int index = 0;
            while (true) {
                Request request = Request.read(in);
                if (request == null) {
                    return;
                }
                index++;
                Target target = Target.parse(request.target());
                Served now = new Served(target == null ? null : target.token(),
                        target == null ? null : target.scenario(), request.method(), id, index);
                if (now.token() != null) {
                    served.put(now.token(), now);
                }
                if (state.leftoverOf != null) {
                    reuses.add(new Reuse(state.leftoverOf, now, state.idleLeftover));
                    state.leftoverOf = null; // answered as usual: a balancer with the bug shows what it does
                }
                Plan plan = target == null ? ResponseCorpus.Plan.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                        : target.plan();
                write(out, plan, target == null ? null : target.split());
                boolean mustNotReuse = target != null && target.corpusScenario() != null
                        && target.corpusScenario().mustNotReuse() && plan.delayed() == null;
                if (plan.trailing() != null || mustNotReuse) {
                    state.leftoverOf = now;
                    state.idleLeftover = false;
                }
                if (plan.closeAfter()) {
                    return;
                }
                if (plan.delayed() != null && idleFor(in, 50)) {
                    out.write(plan.delayed());
                    out.flush();
                    state.leftoverOf = now;
                    state.idleLeftover = true;
                    idleLeftoversWritten.add(now.token());
                }
            }
        } catch (IOException e) {
            // the balancer closed or reset the connection: that ends it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(socket);
            closedConnections.add(id);
        }
    }

    /** The framed part in fragments (when a split seed is given), the trailing bytes with its last fragment. */
    private static void write(OutputStream out, Plan plan, Long split) throws IOException, InterruptedException {
        byte[] framed = plan.framed();
        byte[] trailing = plan.trailing() == null ? new byte[0] : plan.trailing();
        int start = 0;
        if (split != null) {
            Random random = new Random(split);
            int cuts = 1 + random.nextInt(3);
            for (int i = 0; i < cuts && framed.length - start > 1; i++) {
                int end = start + 1 + random.nextInt(Math.min(framed.length - start - 1, 64));
                out.write(framed, start, end - start);
                out.flush();
                start = end;
                Thread.sleep(random.nextInt(3));
            }
        }
        byte[] last = new byte[framed.length - start + trailing.length];
        System.arraycopy(framed, start, last, 0, framed.length - start);
        System.arraycopy(trailing, 0, last, framed.length - start, trailing.length);
        out.write(last);
        out.flush();
    }

    /** Waits {@code millis}; false at once if a request starts arriving meanwhile (the connection is not idle). */
    private static boolean idleFor(InputStream in, long millis) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (in.available() > 0) {
                return false;
            }
            Thread.sleep(2);
        }
        return in.available() == 0;
    }

    /** {@code /c/<scenario>/<token>[?split=<seed>]} */
    private record Target(Scenario corpusScenario, String scenario, String token, Long split) {
        static Target parse(String target) {
            if (target.equals("/a")) {
                return new Target(null, "issue-24", "issue-24", null);
            }
            if (!target.startsWith("/c/")) {
                return null;
            }
            String path = target;
            Long split = null;
            int query = target.indexOf('?');
            if (query >= 0) {
                path = target.substring(0, query);
                String params = target.substring(query + 1);
                if (params.startsWith("split=")) {
                    split = Long.parseLong(params.substring("split=".length()));
                }
            }
            String[] parts = path.split("/");
            return new Target(ResponseCorpus.named(parts[2]), parts[2], parts[3], split);
        }

        Plan plan() {
            if (corpusScenario == null) {
                // issue 24, byte for byte: a complete response, then an incomplete head
                return ResponseCorpus.Plan.glued("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
                        "HTTP/1.1 200 OK\r\nX-Smuggled: yes\r\nSet-Cookie: session=attacker\r\nX-Swallow: ");
            }
            return corpusScenario.plan().apply(token);
        }
    }

    /** A request head, its body read and dropped (Content-Length or chunked). */
    private record Request(String method, String target, Map<String, String> headers) {

        static Request read(InputStream in) throws IOException {
            String line = readLine(in);
            while (line != null && line.isEmpty()) {
                line = readLine(in); // tolerated before a request line (RFC 9112 §2.2)
            }
            if (line == null) {
                return null;
            }
            String[] parts = line.split(" ");
            if (parts.length != 3) {
                throw new IOException("bad request line: " + line);
            }
            Map<String, String> headers = new java.util.HashMap<>();
            String header;
            while ((header = readLine(in)) != null && !header.isEmpty()) {
                int colon = header.indexOf(':');
                if (colon > 0) {
                    headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            header.substring(colon + 1).trim());
                }
            }
            if (header == null) {
                return null;
            }
            String length = headers.get("content-length");
            if (length != null) {
                in.readNBytes(Integer.parseInt(length));
            } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                while (true) {
                    String size = readLine(in);
                    if (size == null) {
                        return null;
                    }
                    int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                    if (n == 0) {
                        while ((header = readLine(in)) != null && !header.isEmpty()) {
                            // trailers: dropped
                        }
                        break;
                    }
                    in.readNBytes(n);
                    readLine(in);
                }
            }
            return new Request(parts[0], parts[1], headers);
        }

        private static String readLine(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.ISO_8859_1);
                    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
                }
                line.write(b);
            }
            return null;
        }
    }
}
