package io.lb.client;

import java.util.Iterator;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http.HttpHeaders;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.impl.VertxByteBufAllocator;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.headers.HeadersAdaptor;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import io.vertx.core.http.impl.headers.Http2HeadersAdaptor;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.spi.transport.Transport;

/**
 * Every use of a Vert.x internal API outside {@code io.lb.server}, in one place. The backend client speaks HTTP/1.1
 * with Netty's codec on the event loop that serves the client, and Vert.x 4.5 has no public API for joining its
 * contexts, buffers and header maps from a Netty pipeline of one's own; each method says which public API is
 * missing. {@code VertxInternalsTest} checks each of them against the Vert.x on the class path, so that an upgrade
 * that changes one fails there, by name, rather than somewhere in the proxy.
 */
public final class VertxInternals {

    private static final int UPGRADED_STREAM = 1;

    private VertxInternals() {
    }

    /**
     * The Netty event loop a context runs on, for registering our channels on it: Vert.x has
     * {@code Vertx#nettyEventLoopGroup()} but nothing public that maps a {@link Context} to its {@code EventLoop}.
     */
    static EventLoop eventLoop(Context context) {
        return ((ContextInternal) context).nettyEventLoop();
    }

    /** The socket channel factory Vert.x itself uses (epoll or NIO): {@code Vertx} does not expose its transport. */
    static Transport transport(Vertx vertx) {
        return ((VertxInternal) vertx).transport();
    }

    /**
     * Runs {@code handler} on {@code context} at once, with the context set as the current one (we are on its event
     * loop): the public {@code Context#runOnContext} always queues a task, a hop and an allocation per message.
     */
    static <T> void emit(Context context, T argument, Handler<T> handler) {
        ((ContextInternal) context).emit(argument, handler);
    }

    /**
     * A header map that is both Netty's {@code HttpHeaders} (for its codec to fill or write) and Vert.x'
     * {@code MultiMap} (for the proxy), so that a head crosses between the two without a copy.
     * {@code io.vertx.core.http.HttpHeaders.headers()} makes the same object, but typed as a {@code MultiMap} only.
     */
    static HttpHeaders newHeaders() {
        return HeadersMultiMap.httpHeaders();
    }

    /** The headers {@link #newHeaders()} made, seen as the {@code MultiMap} they also are. */
    static MultiMap asMultiMap(HttpHeaders decoded) {
        return (HeadersMultiMap) decoded;
    }

    /** Netty headers seen as a {@code MultiMap} without copying: public API only offers the copy of addAll. */
    static MultiMap wrap(HttpHeaders headers) {
        return new HeadersAdaptor(headers);
    }

    /**
     * Whether {@code headers} are an HTTP/2 message's, which Vert.x stores under lower-case names: a name put in
     * them is copied in lower case unless it is a lower-case {@code AsciiString} already. Public API has only the
     * request's version, and nothing for a response's headers.
     */
    public static boolean lowersNames(MultiMap headers) {
        return headers instanceof Http2HeadersAdaptor;
    }

    /**
     * The entries of {@code headers} as stored, names and values as CharSequences: Vert.x' map hands them out
     * without wrapping each entry and converting each name to a new String, which its public iterator does.
     */
    public static Iterator<? extends Map.Entry<? extends CharSequence, ? extends CharSequence>> entries(
            MultiMap headers) {
        return headers instanceof HeadersMultiMap decoded ? decoded.iteratorCharSequence() : headers.iterator();
    }

    /**
     * Whether an HTTP/2 request's HEADERS frame ended its stream (a request without a body), as seen from its request
     * handler. Vert.x calls that handler before it delivers the stream's end, and public API has no way to tell
     * until then; Netty's stream is half-closed by the frame already. False when it cannot be told, and always for
     * stream 1: after an h2c upgrade (RFC 7540 §3.2) that stream is the HTTP/1.1 request that asked for it, which
     * Netty opens half-closed whether or not a body follows.
     */
    public static boolean http2StreamEndedWithHeaders(HttpServerRequest request) {
        if (request.streamId() == UPGRADED_STREAM) {
            return false;
        }
        HttpConnection connection = request.connection();
        if (!(connection instanceof ConnectionBase base)) {
            return false;
        }
        ChannelHandler handler = base.channelHandlerContext().handler();
        if (!(handler instanceof Http2ConnectionHandler http2)) {
            return false;
        }
        Http2Stream stream = http2.connection().stream(request.streamId());
        return stream != null && stream.state() == Http2Stream.State.HALF_CLOSED_REMOTE;
    }

    /** A heap buffer from the unpooled, leak-detection-free allocator that backs Vert.x' own {@code Buffer}s. */
    static ByteBuf heapBuffer(int capacity) {
        return VertxByteBufAllocator.DEFAULT.heapBuffer(capacity);
    }

    /**
     * The allocator for the channels the balancer serves and opens, {@link WriteBufferAllocator}: Vert.x' pools are
     * reachable only through its internal allocator class, and keeping to them keeps one pool per process.
     */
    public static ByteBufAllocator channelAllocator() {
        return WriteBufferAllocator.INSTANCE;
    }

    static ByteBufAllocator pooledDirect() {
        return VertxByteBufAllocator.POOLED_ALLOCATOR;
    }

    static ByteBufAllocator unpooledHeap() {
        return VertxByteBufAllocator.UNPOOLED_ALLOCATOR;
    }
}
