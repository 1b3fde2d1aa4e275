package io.lb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.lb.client.VertxInternals;
import io.lb.metrics.Rejections;
import io.lb.testing.TestCertificates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.Channel;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * {@link WatchedHttpServer} leans on Vert.x internals (its accept hook and the shape of the pipeline it builds); this
 * runs it bare, on every pipeline Vert.x builds for HTTP/1.x, so that a Vert.x upgrade that changes either fails
 * here, loudly, rather than leaving the traffic port without a request-header timeout. Each case: a complete
 * request is answered on a connection with the balancer's allocator and no chunked-write queue, and a head that
 * never completes gets 408 and a closed connection within the timeout.
 */
class WatchedHttpServerTest {

    static final long TIMEOUT_MILLIS = 500;

    enum Pipeline {
        /** The plain port as Quarkus configures it: h2c with prior knowledge enabled, told apart by the first bytes. */
        PLAIN_WITH_H2C,
        PLAIN_HTTP1_ONLY,
        TLS,
        PROXY_PROTOCOL
    }

    static Vertx vertx;
    static SimpleMeterRegistry registry;
    /** The connection of the last request served: its allocator and its handlers are the balancer's choice. */
    static volatile Channel lastServed;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        registry = new SimpleMeterRegistry();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(Pipeline.class)
    void aCompleteRequestIsServedAndAnIncompleteHeadGets408(Pipeline pipeline) throws Exception {
        HttpServer server = listen(pipeline);
        double before = headTimeouts();
        try {
            try (Socket socket = connect(pipeline, server.actualPort())) {
                send(socket, "GET /ok HTTP/1.1\r\nHost: t\r\n\r\n");
                String answer = readHead(socket.getInputStream());
                assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
                Channel served = lastServed;
                assertSame(VertxInternals.channelAllocator(), served.alloc(), pipeline + ": " + served.alloc());
                assertNull(served.pipeline().get(ChunkedWriteHandler.class), pipeline + ": " + served.pipeline().names());
                assertIdleTimeoutIsTheBalancers(served);
            }
            try (Socket socket = connect(pipeline, server.actualPort())) {
                long start = System.nanoTime();
                send(socket, "GET /slow HTTP/1.1\r\nHost: t\r\nX-Partial: ");
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(answer.startsWith("HTTP/1.1 408 "), pipeline + ": " + answer);
                assertTrue(millis < TIMEOUT_MILLIS + 1_000, pipeline + ": closed after " + millis + " ms");
            }
            assertEquals(before + 1, headTimeouts());
        } finally {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @org.junit.jupiter.api.Test
    void anH2cUpgradeIsServedAndItsConnectionKept() throws Exception {
        HttpServer server = listen(Pipeline.PLAIN_WITH_H2C);
        try {
            // the JDK client asks for h2c by Upgrade on its first request, then speaks HTTP/2 on the connection
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            java.net.URI uri = java.net.URI.create("http://127.0.0.1:" + server.actualPort() + "/");
            for (int i = 0; i < 3; i++) {
                var response = client.send(java.net.http.HttpRequest.newBuilder(uri).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode());
                assertEquals(java.net.http.HttpClient.Version.HTTP_2, response.version());
                Thread.sleep(TIMEOUT_MILLIS + 200);
            }
        } finally {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @org.junit.jupiter.api.Test
    void anHttp2ConnectionWithPriorKnowledgeGetsTheBalancersIdleTimeout() throws Exception {
        HttpServer server = listen(Pipeline.PLAIN_WITH_H2C);
        HttpClient h2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
        try {
            int status = h2.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/ok")
                    .compose(request -> request.send().compose(response -> response.body().map(response.statusCode())))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(200, status);
            assertIdleTimeoutIsTheBalancers(lastServed);
        } finally {
            h2.close();
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** Vert.x' idle handler, found by its name, was replaced: fails if a Vert.x upgrade renames or reconfigures it. */
    private static void assertIdleTimeoutIsTheBalancers(Channel served) {
        assertTrue(served.pipeline().get("idle") instanceof IdleConnectionClose, served.pipeline().names().toString());
        assertNull(served.pipeline().get(IdleStateHandler.class), served.pipeline().names().toString());
    }

    private static double headTimeouts() {
        return registry.get("lb.rejected").tag("reason", "request_header_timeout").counter().count();
    }

    private static HttpServer listen(Pipeline pipeline) throws Exception {
        HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0).setIdleTimeout(30);
        switch (pipeline) {
            case PLAIN_HTTP1_ONLY -> options.setHttp2ClearTextEnabled(false);
            case TLS -> options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                    .setCertPath(TestCertificates.get().certificate().toString())
                    .setKeyPath(TestCertificates.get().key().toString()));
            case PROXY_PROTOCOL -> options.setUseProxyProtocol(true);
            default -> {
            }
        }
        var timeout = new RequestHeadTimeout(vertx, TIMEOUT_MILLIS, new Rejections(registry));
        Promise<HttpServer> listening = Promise.promise();
        // from an event-loop context, as the balancer's listener verticles do
        vertx.runOnContext(v -> new WatchedHttpServer(vertx, options, timeout)
                .requestHandler(request -> {
                    lastServed = ((ConnectionBase) request.connection()).channel();
                    request.response().end("ok");
                })
                .listen().onComplete(listening));
        return listening.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static Socket connect(Pipeline pipeline, int port) throws Exception {
        Socket socket;
        if (pipeline == Pipeline.TLS) {
            SSLSocket tls = (SSLSocket) TestCertificates.get().trustingContext().getSocketFactory()
                    .createSocket("127.0.0.1", port);
            tls.startHandshake();
            socket = tls;
        } else {
            socket = new Socket("127.0.0.1", port);
        }
        socket.setSoTimeout(5_000);
        if (pipeline == Pipeline.PROXY_PROTOCOL) {
            send(socket, "PROXY TCP4 127.0.0.2 127.0.0.1 40000 80\r\n");
        }
        return socket;
    }

    private static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
