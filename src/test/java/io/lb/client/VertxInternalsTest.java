package io.lb.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;

/**
 * What {@link VertxInternals} relies on, checked against the Vert.x on the class path: if an upgrade changes one of
 * these internals, this test names it (each test is one method of that class).
 */
class VertxInternalsTest {

    private static Vertx vertx;
    private static Context context;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        CompletableFuture<Context> onLoop = new CompletableFuture<>();
        vertx.runOnContext(ignored -> onLoop.complete(Vertx.currentContext()));
        context = onLoop.get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void eventLoopIsTheOneTheContextRunsOn() throws Exception {
        CompletableFuture<Boolean> inLoop = new CompletableFuture<>();
        context.runOnContext(ignored -> inLoop.complete(VertxInternals.eventLoop(context).inEventLoop()));
        assertTrue(inLoop.get(10, TimeUnit.SECONDS));
        assertFalse(VertxInternals.eventLoop(context).inEventLoop(), "the test thread is not the event loop");
    }

    @Test
    void emitOnTheEventLoopRunsAtOnceWithTheContextCurrent() throws Exception {
        CompletableFuture<List<String>> order = new CompletableFuture<>();
        context.runOnContext(ignored -> {
            List<String> seen = new ArrayList<>();
            VertxInternals.emit(context, "message", message -> seen.add(message + " on "
                    + (Vertx.currentContext() == context ? "its context" : "another context")));
            seen.add("after emit");
            order.complete(seen);
        });
        assertEquals(List.of("message on its context", "after emit"), order.get(10, TimeUnit.SECONDS));
    }

    @Test
    void theHeadersOfAnHttp2ExchangeAndOnlyThoseLowerTheirNames() throws Exception {
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(request -> request.response().end(VertxInternals.lowersNames(request.headers()) + " "
                        + VertxInternals.lowersNames(request.response().headers())));
        server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        HttpClient h2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
        HttpClient http1 = vertx.createHttpClient();
        try {
            assertEquals("true true", body(h2, server.actualPort()));
            assertEquals("false false", body(http1, server.actualPort()));
            assertFalse(VertxInternals.lowersNames(MultiMap.caseInsensitiveMultiMap()));
        } finally {
            h2.close();
            http1.close();
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void anHttp2StreamEndedByItsHeadersIsToldFromItsRequestHandler() throws Exception {
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(request -> {
                    boolean ended = VertxInternals.http2StreamEndedWithHeaders(request);
                    request.body().onSuccess(body -> request.response().end(ended + " " + body.length()));
                });
        server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        HttpClient h2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
        HttpClient http1 = vertx.createHttpClient();
        try {
            assertEquals("false 0", body(h2, server.actualPort()), "stream 1: the one an h2c upgrade would make");
            assertEquals("true 0", body(h2, server.actualPort()));
            String posted = h2.request(HttpMethod.POST, server.actualPort(), "127.0.0.1", "/")
                    .compose(request -> request.send("four").compose(HttpClientResponse::body))
                    .map(Object::toString)
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals("false 4", posted);
            assertEquals("false 0", body(http1, server.actualPort()), "no HTTP/2 stream: cannot be told");
        } finally {
            h2.close();
            http1.close();
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static String body(HttpClient client, int port) throws Exception {
        return client.request(HttpMethod.GET, port, "127.0.0.1", "/")
                .compose(request -> request.send().compose(HttpClientResponse::body))
                .map(Object::toString)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void newHeadersAreOneMapForNettyAndVertx() {
        HttpHeaders netty = VertxInternals.newHeaders();
        MultiMap view = VertxInternals.asMultiMap(netty);
        view.add("X-One", "1");
        netty.add("X-Two", "2");
        assertEquals("1", netty.get("x-one"));
        assertEquals("2", view.get("x-two"));
        List<String> entries = new ArrayList<>();
        VertxInternals.entries(view).forEachRemaining(e -> entries.add(e.getKey() + "=" + e.getValue()));
        assertEquals(List.of("X-One=1", "X-Two=2"), entries);
    }

    @Test
    void entriesOfAnyOtherMultiMapAreItsOwn() {
        MultiMap plain = MultiMap.caseInsensitiveMultiMap().add("A", "b");
        Map.Entry<? extends CharSequence, ? extends CharSequence> only = VertxInternals.entries(plain).next();
        assertEquals("A", only.getKey().toString());
    }

    @Test
    void wrappedNettyHeadersAreLiveWithoutACopy() {
        DefaultHttpHeaders trailers = new DefaultHttpHeaders();
        MultiMap wrapped = VertxInternals.wrap(trailers);
        trailers.add("grpc-status", "0");
        assertEquals("0", wrapped.get("Grpc-Status"));
    }

    @Test
    void heapBufferIsOnTheHeap() {
        ByteBuf buffer = VertxInternals.heapBuffer(16);
        try {
            assertTrue(buffer.hasArray());
            assertFalse(buffer.isDirect());
        } finally {
            buffer.release();
        }
    }

    @Test
    void channelAllocatorWritesIntoPooledDirectBuffersAndCopiesIntoUnpooledHeap() {
        ByteBufAllocator allocator = VertxInternals.channelAllocator();
        assertTrue(allocator.isDirectBufferPooled());
        ByteBuf forWriting = allocator.buffer(64);
        ByteBuf forCopying = allocator.heapBuffer(64);
        try {
            assertTrue(forWriting.isDirect());
            assertTrue(forWriting.alloc() instanceof PooledByteBufAllocator, forWriting.alloc().toString());
            assertFalse(forCopying.isDirect());
            assertFalse(forCopying.alloc() instanceof PooledByteBufAllocator, forCopying.alloc().toString());
        } finally {
            forWriting.release();
            forCopying.release();
        }
    }

    @Test
    void transportMakesSocketChannels() {
        io.netty.channel.Channel channel = VertxInternals.transport(vertx).channelFactory(false).newChannel();
        assertNotNull(channel);
        channel.unsafe().closeForcibly();
    }
}
