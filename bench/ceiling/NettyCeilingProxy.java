import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.impl.ConnectionBase;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A measuring stick for bench/run.sh, not a product: the least a Java proxy on one event loop does to carry the
 * bench's load, so that the balancer's figures can be split into what the framework costs and what its own
 * per-request work costs. HTTP/1.1 and prior-knowledge h2c on the plain port, HTTP/1.1 over OpenSSL on the TLS
 * port, least connections over keep-alive HTTP/1.1 backends on the same event loop, one write per event-loop turn
 * for an HTTP/2 connection. No routing, retries, health, metrics, limits, request bodies or header policy beyond
 * X-Forwarded-For. Its front is Netty's codecs, or Vert.x' HTTP server with {@code -Dceiling.front=vertx}. It reads
 * the properties and LB_BACKENDS that run.sh gives every jvm variant. Built by build.sh.
 */
public final class NettyCeilingProxy {

    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    public static void main(String[] args) throws Exception {
        int port = Integer.getInteger("quarkus.http.port");
        int mgmt = Integer.getInteger("quarkus.management.port");
        Integer sslPort = Integer.getInteger("quarkus.http.ssl-port");
        List<InetSocketAddress> backends = new ArrayList<>();
        for (String url : System.getenv("LB_BACKENDS").split(",")) {
            String hostPort = url.replace("http://", "");
            int colon = hostPort.lastIndexOf(':');
            backends.add(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))));
        }
        if ("vertx".equals(System.getProperty("ceiling.front"))) {
            VertxFront.start(port, mgmt, sslPort, backends);
            return;
        }
        EpollEventLoopGroup group = new EpollEventLoopGroup(1);
        EventLoop loop = group.next();
        Pool pool = new Pool(loop, backends);

        serve(group, port, ch -> ch.pipeline().addLast(new Detect(pool)));
        if (sslPort != null) {
            SslContext ssl = SslContextBuilder.forServer(new File(System.getProperty("quarkus.http.ssl.certificate.files")),
                    new File(System.getProperty("quarkus.http.ssl.certificate.key-files")))
                    .sslProvider(SslProvider.OPENSSL).build();
            serve(group, sslPort, ch -> ch.pipeline().addLast(ssl.newHandler(ch.alloc()), new HttpServerCodec(),
                    new Http1Front(pool)));
        }
        // the management port last: run.sh starts the load once it answers
        serve(group, mgmt, ch -> ch.pipeline().addLast(new HttpServerCodec(), new Health()));
        System.out.println("ceiling proxy up");
        Thread.currentThread().join();
    }

    interface Init { void init(SocketChannel ch); }

    /** A backend request without a body, in one buffer when encoded (a head and an empty body would be a writev). */
    static DefaultFullHttpRequest backendRequest(HttpMethod method, String uri) {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.EMPTY_BUFFER);
    }

    static boolean isHopByHop(CharSequence name) {
        return AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONNECTION)
                || AsciiString.contentEqualsIgnoreCase(name, "keep-alive");
    }

    /** One write per event-loop turn for an HTTP/2 connection, as the balancer's Http2Flushes. */
    static FlushConsolidationHandler oneWritePerTurn() {
        return new FlushConsolidationHandler(64, true);
    }

    static void serve(EpollEventLoopGroup group, int port, Init init) throws InterruptedException {
        new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) { init.init(ch); }
                }).bind("127.0.0.1", port).sync();
    }

    static final class Health extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.copiedBuffer("UP", StandardCharsets.US_ASCII));
                r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 2);
                ctx.writeAndFlush(r);
            }
            ReferenceCountUtil.release(msg);
        }
    }

    /** Prior-knowledge h2c or HTTP/1.1, told apart by the preface. */
    static final class Detect extends ByteToMessageDecoder {
        final Pool pool;
        Detect(Pool pool) { this.pool = pool; }
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            int n = Math.min(in.readableBytes(), PREFACE.length);
            for (int i = 0; i < n; i++) {
                if (in.getByte(in.readerIndex() + i) != PREFACE[i]) {
                    ctx.pipeline().addAfter(ctx.name(), null, new Http1Front(pool));
                    ctx.pipeline().addAfter(ctx.name(), null, new HttpServerCodec());
                    ctx.pipeline().remove(this);
                    return;
                }
            }
            if (n == PREFACE.length) {
                ctx.pipeline().addAfter(ctx.name(), null, new H2FrontBuilder(pool).build());
                ctx.pipeline().addAfter(ctx.name(), null, oneWritePerTurn());
                ctx.pipeline().remove(this);
            }
        }
    }

    /** Where a backend's response goes. */
    interface Sink {
        void head(HttpResponse response);
        void content(HttpContent content, boolean last);
        void failed();
    }

    static final class Backend {
        final InetSocketAddress address;
        final ArrayDeque<Channel> idle = new ArrayDeque<>();
        int active;
        Backend(InetSocketAddress address) { this.address = address; }
    }

    static final class Pool {
        final EventLoop loop;
        final Backend[] backends;
        final Bootstrap bootstrap;
        Pool(EventLoop loop, List<InetSocketAddress> addresses) {
            this.loop = loop;
            this.backends = addresses.stream().map(Backend::new).toArray(Backend[]::new);
            this.bootstrap = new Bootstrap().group(loop).channel(EpollSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(), new BackendHandler());
                        }
                    });
        }

        void send(HttpRequest request, Sink sink) {
            request.headers().add("X-Forwarded-For", "127.0.0.1");
            Backend best = backends[0];
            for (Backend b : backends) if (b.active < best.active) best = b;
            Backend chosen = best;
            chosen.active++;
            Channel idle = chosen.idle.pollFirst();
            if (idle != null && idle.isActive()) {
                start(chosen, idle, request, sink);
                return;
            }
            bootstrap.connect(chosen.address).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) start(chosen, f.channel(), request, sink);
                else { chosen.active--; sink.failed(); }
            });
        }

        void start(Backend backend, Channel ch, HttpRequest request, Sink sink) {
            BackendHandler h = ch.pipeline().get(BackendHandler.class);
            h.backend = backend;
            h.pool = this;
            h.sink = sink;
            ch.writeAndFlush(request);
        }
    }

    static final class BackendHandler extends ChannelInboundHandlerAdapter {
        Backend backend;
        Pool pool;
        Sink sink;
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Sink s = sink;
            if (msg instanceof HttpResponse) s.head((HttpResponse) msg);
            if (msg instanceof HttpContent) {
                boolean last = msg instanceof LastHttpContent;
                if (last) {
                    sink = null;
                    backend.active--;
                    backend.idle.addFirst(ctx.channel());
                }
                s.content((HttpContent) msg, last);
            }
        }
        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (backend != null) backend.idle.remove(ctx.channel());
            if (sink != null) { backend.active--; sink.failed(); sink = null; }
        }
    }

    static final class Http1Front extends ChannelInboundHandlerAdapter implements Sink {
        final Pool pool;
        ChannelHandlerContext ctx;
        Http1Front(Pool pool) { this.pool = pool; }
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) { this.ctx = ctx; }
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                HttpRequest in = (HttpRequest) msg;
                DefaultFullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, in.method(), in.uri(),
                        Unpooled.EMPTY_BUFFER, in.headers(), EmptyHttpHeaders.INSTANCE);
                out.headers().remove(HttpHeaderNames.CONNECTION);
                pool.send(out, this);
            }
            ReferenceCountUtil.release(msg); // GET only: the bench sends no bodies
        }
        @Override
        public void head(HttpResponse response) { ctx.write(response); }
        @Override
        public void content(HttpContent content, boolean last) {
            if (last) ctx.writeAndFlush(content); else ctx.write(content);
        }
        @Override
        public void failed() {
            DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_GATEWAY);
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
            ctx.writeAndFlush(r);
        }
    }

    static final class H2FrontBuilder extends AbstractHttp2ConnectionHandlerBuilder<H2Front, H2FrontBuilder> {
        final Pool pool;
        H2FrontBuilder(Pool pool) { this.pool = pool; server(true); initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(100)); }
        @Override
        public H2Front build() { return super.build(); }
        @Override
        protected H2Front build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
            H2Front front = new H2Front(decoder, encoder, settings, pool);
            frameListener(front.listener);
            return front;
        }
    }

    static final class H2Front extends Http2ConnectionHandler {
        final Pool pool;
        ChannelHandlerContext ctx;
        final Http2FrameAdapter listener = new Http2FrameAdapter() {
            @Override
            public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endStream) {
                request(streamId, headers);
            }
            @Override
            public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                    short weight, boolean exclusive, int padding, boolean endStream) {
                request(streamId, headers);
            }
        };
        H2Front(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings, Pool pool) {
            super(decoder, encoder, settings);
            this.pool = pool;
        }
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
            this.ctx = ctx;
            super.handlerAdded(ctx);
        }

        void flushNow() {
            try { flush(ctx); } catch (Exception e) { ctx.fireExceptionCaught(e); }
        }

        void request(int streamId, Http2Headers headers) {
            DefaultFullHttpRequest out = backendRequest(HttpMethod.valueOf(headers.method().toString()), headers.path().toString());
            for (Map.Entry<CharSequence, CharSequence> h : headers) {
                if (h.getKey().length() > 0 && h.getKey().charAt(0) != ':') out.headers().add(h.getKey(), h.getValue());
            }
            out.headers().set(HttpHeaderNames.HOST, headers.authority());
            pool.send(out, new Sink() {
                @Override
                public void head(HttpResponse response) {
                    Http2Headers h2 = new DefaultHttp2Headers().status(response.status().codeAsText());
                    for (Iterator<Map.Entry<CharSequence, CharSequence>> it = response.headers().iteratorCharSequence(); it.hasNext();) {
                        Map.Entry<CharSequence, CharSequence> h = it.next();
                        if (!isHopByHop(h.getKey())) h2.add(AsciiString.of(h.getKey()).toLowerCase(), h.getValue());
                    }
                    encoder().writeHeaders(ctx, streamId, h2, 0, false, ctx.newPromise());
                }
                @Override
                public void content(HttpContent content, boolean last) {
                    encoder().writeData(ctx, streamId, content.content(), 0, last, ctx.newPromise());
                    if (last) flushNow();
                }
                @Override
                public void failed() {
                    encoder().writeHeaders(ctx, streamId, new DefaultHttp2Headers().status("502"), 0, true, ctx.newPromise());
                    flushNow();
                }
            });
        }
    }

    /**
     * The same proxy behind Vert.x' HTTP server (HTTP/1.1, h2c and TLS as the balancer's listeners have them),
     * forwarding through the same Netty backend pool on the server's event loop: what Vert.x' server costs.
     */
    static final class VertxFront {
        static void start(int port, int mgmt, Integer sslPort, List<InetSocketAddress> backends) {
            Vertx vertx = Vertx.vertx(new VertxOptions()
                    .setEventLoopPoolSize(1).setPreferNativeTransport(true));
            vertx.deployVerticle(new AbstractVerticle() {
                @Override
                public void start() {
                    EventLoop loop = ((ContextInternal) context).nettyEventLoop();
                    Pool pool = new Pool(loop, backends);
                    Handler<HttpServerRequest> proxy = req -> forward(pool, req);
                    List<Future<?>> listening = new ArrayList<>();
                    listening.add(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port)
                            .setTcpNoDelay(true)).requestHandler(proxy).connectionHandler(VertxFront::consolidateFlushes).listen());
                    if (sslPort != null) {
                        listening.add(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1")
                                .setPort(sslPort).setTcpNoDelay(true).setSsl(true)
                                .setSslEngineOptions(new OpenSSLEngineOptions())
                                .setKeyCertOptions(new PemKeyCertOptions()
                                        .setCertPath(System.getProperty("quarkus.http.ssl.certificate.files"))
                                        .setKeyPath(System.getProperty("quarkus.http.ssl.certificate.key-files"))))
                                .requestHandler(proxy).listen());
                    }
                    // the management port once the others listen: run.sh starts the load when it answers
                    Future.all(listening).compose(ignored -> vertx.createHttpServer(new HttpServerOptions()
                            .setHost("127.0.0.1").setPort(mgmt)).requestHandler(req -> req.response().end("UP")).listen())
                            .onSuccess(ignored -> System.out.println("ceiling proxy (vert.x front) up"))
                            .onFailure(failure -> {
                                failure.printStackTrace();
                                System.exit(1);
                            });
                }
            });
        }

        static void consolidateFlushes(HttpConnection connection) {
            ChannelPipeline pipeline = ((ConnectionBase) connection).channel().pipeline();
            ChannelHandlerContext http2 = pipeline.context(Http2ConnectionHandler.class);
            if (http2 != null) pipeline.addBefore(http2.name(), null, oneWritePerTurn());
        }

        static void forward(Pool pool, HttpServerRequest req) {
            DefaultFullHttpRequest out = backendRequest(HttpMethod.valueOf(req.method().name()), req.uri());
            for (Map.Entry<String, String> h : req.headers()) {
                if (!h.getKey().equalsIgnoreCase("connection")) out.headers().add(h.getKey(), h.getValue());
            }
            if (req.version() == io.vertx.core.http.HttpVersion.HTTP_2) out.headers().set(HttpHeaderNames.HOST, req.authority().toString());
            HttpServerResponse resp = req.response();
            pool.send(out, new Sink() {
                @Override
                public void head(HttpResponse response) {
                    resp.setStatusCode(response.status().code());
                    for (Iterator<Map.Entry<CharSequence, CharSequence>> it = response.headers().iteratorCharSequence(); it.hasNext();) {
                        Map.Entry<CharSequence, CharSequence> h = it.next();
                        if (!isHopByHop(h.getKey())) resp.headers().add(h.getKey().toString(), h.getValue().toString());
                    }
                }
                @Override
                public void content(HttpContent content, boolean last) {
                    Buffer b = Buffer.buffer(ByteBufUtil.getBytes(content.content()));
                    content.release();
                    if (last) resp.end(b); else resp.write(b);
                }
                @Override
                public void failed() {
                    resp.setStatusCode(502).end();
                }
            });
        }
    }
}
