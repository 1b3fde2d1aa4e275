package io.lb.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * A real HTTP backend on a random loopback port, running on its own Vert.x instance (as a separate process
 * would). Its behaviour can be swapped while it runs; it records what it received; it can be stopped and
 * started again on the same port.
 */
public final class TestBackend implements AutoCloseable {

    private static final Vertx VERTX = Vertx.vertx();

    private final String name;
    private final String host;
    private volatile Handler<HttpServerRequest> behaviour;
    private final List<ReceivedRequest> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger connectionsAccepted = new AtomicInteger();
    private final java.util.Set<HttpConnection> connectionsOpen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private HttpServer server;
    private int port;

    private TestBackend(String name, String host) {
        this.name = name;
        this.host = host;
        this.behaviour = Behaviours.answerWithName(name);
    }

    /** Starts a backend answering {@code 200 <name>} to everything. */
    public static TestBackend start(String name) {
        return start(name, "127.0.0.1", 0);
    }

    /**
     * Starts a backend on another loopback address ({@code 127.0.0.2}...), on {@code port} (0: any), so that several
     * backends can share a port as the endpoints of one Service do.
     */
    public static TestBackend start(String name, String host, int port) {
        TestBackend backend = new TestBackend(name, host);
        backend.listen(port);
        return backend;
    }

    public static Vertx vertx() {
        return VERTX;
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://" + host + ":" + port;
    }

    public TestBackend behave(Handler<HttpServerRequest> newBehaviour) {
        this.behaviour = newBehaviour;
        return this;
    }

    public List<ReceivedRequest> received() {
        return received;
    }

    /** The last request that is not an active health probe, or null. */
    public ReceivedRequest lastRequest() {
        for (int i = received.size() - 1; i >= 0; i--) {
            if (!received.get(i).isHealthProbe()) {
                return received.get(i);
            }
        }
        return null;
    }

    /** Requests received, active health probes left out (they come on their own schedule). */
    public int requestCount() {
        return (int) received.stream().filter(request -> !request.isHealthProbe()).count();
    }

    /** Requests whose response has not ended yet, as this backend sees them. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Connections accepted since the start. */
    public int connectionsAccepted() {
        return connectionsAccepted.get();
    }

    /** Connections open right now. */
    public int connectionsOpen() {
        return connectionsOpen.size();
    }

    public void reset() {
        received.clear();
        behaviour = Behaviours.answerWithName(name);
    }

    /** Stops listening and closes every open connection, as a crashed process would. */
    public void stop() {
        if (server != null) {
            await(server.close());
            server = null;
        }
    }

    /** Starts again on the same port. */
    public void restart() {
        if (server == null) {
            listen(port);
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void listen(int requestedPort) {
        HttpServer created = VERTX.createHttpServer(new HttpServerOptions()
                .setHost(host)
                .setPort(requestedPort)
                .setReuseAddress(true));
        created.connectionHandler(connection -> {
            connectionsAccepted.incrementAndGet();
            connectionsOpen.add(connection);
            connection.closeHandler(ignored -> connectionsOpen.remove(connection));
        });
        created.requestHandler(request -> {
            received.add(new ReceivedRequest(request.method().name(), request.uri(),
                    MultiMap.caseInsensitiveMultiMap().addAll(request.headers()), request.version().name()));
            inFlight.incrementAndGet();
            var over = new java.util.concurrent.atomic.AtomicBoolean();
            Handler<Void> ended = ignored -> {
                if (over.compareAndSet(false, true)) {
                    inFlight.decrementAndGet();
                }
            };
            request.response().endHandler(ended);
            // one request at a time per HTTP/1.1 connection, so the connection's close is this request's
            HttpConnection connection = request.connection();
            connection.closeHandler(closed -> {
                connectionsOpen.remove(connection);
                ended.handle(closed);
            });
            behaviour.handle(request);
        });
        server = await(created.listen());
        port = server.actualPort();
    }

    static <T> T await(io.vertx.core.Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a backend saw of one request (the body is read by behaviours that need it). */
    public record ReceivedRequest(String method, String uri, MultiMap headers, String version) {

        /** Sent by the balancer's active health checks (their User-Agent), not by a client. */
        public boolean isHealthProbe() {
            return "quarkus-lb-health-check".equals(headers.get("User-Agent"));
        }
    }
}
