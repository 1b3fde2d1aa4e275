package io.lb.client;

import static io.netty.handler.codec.http.HttpVersion.HTTP_1_1;

import java.util.ArrayDeque;

import io.lb.client.BackendClient.RequestListener;
import io.lb.config.BackendSpec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;

/**
 * One request and its response on a {@link BackendConnection}. The request's head waits for the first body write
 * (or the end), so that a request without a body leaves in one write. The response's body can be paused: what the
 * codec has already decoded waits here, and the socket is not read meanwhile.
 */
final class Http1Exchange implements BackendRequest {

    private static final Object END = new Object();

    private final BackendConnection connection;
    private final Context context;
    private final BackendSpec backend;
    private final HttpMethod method;
    private final String uri;
    /** Vert.x' header map is also a Netty one: the head is encoded straight from it. */
    /** The request head's headers: filled by the proxy as a MultiMap, written by Netty's encoder as they are. */
    private final io.netty.handler.codec.http.HttpHeaders headers = VertxInternals.newHeaders();
    private final MultiMap headersView = VertxInternals.asMultiMap(headers);
    private final RequestListener listener;
    /** The listener was told about the response head: it arrived, or it failed. */
    private boolean headReported;
    private HostAndPort authority;
    private boolean chunked;
    private boolean headSent;
    private boolean requestEnded;
    private Handler<Void> drainHandler;
    /** What the connection emits on this exchange's context: made once, not per message. */
    final Handler<Object> onMessage = this::onMessage;
    final Handler<Void> onWritable = this::onWritable;

    private HttpResponse head;
    private boolean skippingInterim;
    private boolean receivedEnd;
    private boolean over;
    private MultiMap trailers;
    private boolean paused;
    private ArrayDeque<Object> pending;
    private Handler<Buffer> dataHandler;
    private Handler<Void> endHandler;
    private Handler<Throwable> exceptionHandler;

    Http1Exchange(BackendConnection connection, Context context, BackendSpec backend, HttpMethod method,
            String uri, RequestListener listener) {
        this.connection = connection;
        this.context = context;
        this.backend = backend;
        this.method = method;
        this.uri = uri;
        this.listener = listener;
    }

    Context context() {
        return context;
    }

    boolean isHead() {
        return method == HttpMethod.HEAD;
    }

    // ---- the request -------------------------------------------------------------------------------------------

    @Override
    public void authority(HostAndPort authority) {
        this.authority = authority;
    }

    @Override
    public MultiMap headers() {
        return headersView;
    }

    @Override
    public void setChunked(boolean chunked) {
        this.chunked = chunked;
    }

    @Override
    public void write(Buffer chunk) {
        if (over) {
            return;
        }
        writeHeadIfNeeded();
        connection.channel().writeAndFlush(new DefaultHttpContent(chunk.getByteBuf()));
    }

    @Override
    public void end() {
        if (over || requestEnded) {
            return;
        }
        requestEnded = true;
        if (headSent) {
            connection.channel().writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        } else {
            // no body: head and end go down the pipeline as one message
            headSent = true;
            prepareHead();
            connection.channel().writeAndFlush(new DefaultFullHttpRequest(HTTP_1_1, method.toNetty(), uri,
                    Unpooled.EMPTY_BUFFER, headers, EmptyHttpHeaders.INSTANCE));
        }
        if (receivedEnd) {
            recycle();
        }
    }

    @Override
    public boolean writeQueueFull() {
        return !connection.channel().isWritable();
    }

    @Override
    public void drainHandler(Handler<Void> handler) {
        this.drainHandler = handler;
    }

    @Override
    public void reset(Throwable cause) {
        if (over) {
            return;
        }
        over = true;
        if (headSent) {
            connection.abandon(this);
        } else {
            connection.recycle(this, true); // nothing was written: the connection is as clean as it came
        }
        fail(cause != null ? cause : new HttpClosedException("Request was reset"));
    }

    private void writeHeadIfNeeded() {
        if (headSent) {
            return;
        }
        headSent = true;
        prepareHead();
        connection.channel().write(new DefaultHttpRequest(HTTP_1_1, method.toNetty(), uri, headers));
    }

    private void prepareHead() {
        if (!headers.contains(HttpHeaderNames.HOST)) {
            headers.set(HttpHeaderNames.HOST, hostHeader());
        }
        if (chunked) {
            headers.remove(HttpHeaderNames.CONTENT_LENGTH);
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        } else {
            headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        }
    }

    /** The client's authority as it was parsed (IPv6 literals keep their brackets), or the backend's own. */
    private String hostHeader() {
        return authority != null ? authority.toString() : backend.authority();
    }

    // ---- what the connection hears -----------------------------------------------------------------------------

    private void onMessage(Object msg) {
        if (msg instanceof HttpResponse received) {
            onHead(received);
        }
        if (msg instanceof HttpContent content) {
            onContent(content);
        }
    }

    private void onHead(HttpResponse received) {
        int status = received.status().code();
        if (status < 200) {
            skippingInterim = true; // 100 Continue, 103 Early Hints: the final response follows (101 never gets here)
            return;
        }
        head = received;
        headReported = true;
        listener.responseHead(new Response());
    }

    private void onContent(HttpContent content) {
        if (skippingInterim) {
            if (content instanceof LastHttpContent) {
                skippingInterim = false;
            }
            return;
        }
        ByteBuf data = content.content();
        if (data.isReadable()) {
            // Netty's pooled buffer goes back to its pool when this returns: the body keeps a heap copy
            ByteBuf copy = VertxInternals.heapBuffer(data.readableBytes());
            copy.writeBytes(data, data.readerIndex(), data.readableBytes());
            deliver(Buffer.buffer(copy));
        }
        if (content instanceof LastHttpContent last) {
            if (!last.trailingHeaders().isEmpty()) {
                trailers = VertxInternals.wrap(last.trailingHeaders());
            }
            receivedEnd = true;
            if (requestEnded) {
                recycle();
            }
            deliver(END);
        }
    }

    private void onWritable(Void ignored) {
        Handler<Void> handler = drainHandler;
        if (handler != null && !over) {
            handler.handle(null);
        }
    }

    void onConnectionFailed(Throwable cause) {
        if (over) {
            return;
        }
        over = true;
        fail(cause);
    }

    private void fail(Throwable cause) {
        if (!headReported) {
            headReported = true;
            listener.responseFailed(cause);
        } else if (!receivedEnd) {
            pending = null;
            Handler<Throwable> handler = exceptionHandler;
            if (handler != null) {
                handler.handle(cause);
            }
        }
    }

    private void recycle() {
        over = true;
        connection.recycle(this, keepAlive());
    }

    private boolean keepAlive() {
        return head != null && HttpUtil.isKeepAlive(head)
                && !headers.contains(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true);
    }

    // ---- the response ------------------------------------------------------------------------------------------

    private void deliver(Object item) {
        if (paused || (pending != null && !pending.isEmpty())) {
            if (pending == null) {
                pending = new ArrayDeque<>(4);
            }
            pending.addLast(item);
            if (paused && !receivedEnd && !over) {
                connection.channel().config().setAutoRead(false); // holding something: stop reading more
            }
        } else {
            dispatch(item);
        }
    }

    private void dispatch(Object item) {
        if (item == END) {
            Handler<Void> handler = endHandler;
            if (handler != null) {
                handler.handle(null);
            }
        } else {
            Handler<Buffer> handler = dataHandler;
            if (handler != null) {
                handler.handle((Buffer) item);
            }
        }
    }

    /** The response's view of the exchange. */
    private final class Response implements BackendResponse {

        @Override
        public int statusCode() {
            return head.status().code();
        }

        @Override
        public String statusMessage() {
            return head.status().reasonPhrase();
        }

        @Override
        public MultiMap headers() {
            return VertxInternals.asMultiMap(head.headers()); // what ResponseDecoder makes
        }

        @Override
        public MultiMap trailers() {
            return trailers != null ? trailers : io.vertx.core.http.HttpHeaders.headers();
        }

        @Override
        public HttpVersion version() {
            return head.protocolVersion() == io.netty.handler.codec.http.HttpVersion.HTTP_1_0 ? HttpVersion.HTTP_1_0
                    : HttpVersion.HTTP_1_1;
        }

        @Override
        public void pause() {
            // The socket is left alone until something arrives while paused (deliver): a pause and resume with
            // nothing in between, as every relay starts with, would otherwise cost two epoll_ctl calls.
            paused = true;
        }

        @Override
        public void resume() {
            paused = false;
            while (!paused && pending != null && !pending.isEmpty()) {
                dispatch(pending.pollFirst());
            }
            if (!paused && !receivedEnd && !over) {
                connection.channel().config().setAutoRead(true);
            }
        }

        @Override
        public void handler(Handler<Buffer> handler) {
            dataHandler = handler;
        }

        @Override
        public void endHandler(Handler<Void> handler) {
            endHandler = handler;
        }

        @Override
        public void exceptionHandler(Handler<Throwable> handler) {
            exceptionHandler = handler;
        }
    }
}
