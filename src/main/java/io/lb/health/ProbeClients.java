package io.lb.health;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

/**
 * The clients probes are sent with, apart from the proxy's pooled ones: probes neither queue behind user traffic
 * nor reuse a warm connection that would hide a full listen queue. Every probe makes a fresh connection, as
 * HAProxy's checks do, and closes it after its verdict.
 */
final class ProbeClients implements AutoCloseable {

    /** An HTTP client and whether it speaks HTTP/2 (prior knowledge on cleartext, ALPN h2 over TLS). */
    record Http(HttpClient client, boolean http2) {

        /** Ends a probe's exchange, whatever state it is in, and closes its connection. */
        static void discard(HttpClientRequest request) {
            request.reset();
            if (request.connection() != null) {
                request.connection().close();
            }
        }
    }

    private final Http http1;
    private final Http http2;
    private final NetClient tcp;

    /** {@code tls} carries the trust settings of traffic, so that probes and traffic agree on https backends. */
    ProbeClients(Vertx vertx, HttpClientOptions tls, int connectTimeoutMillis) {
        HttpClientOptions base = new HttpClientOptions(tls)
                .setPipelining(false)
                .setTcpNoDelay(true)
                .setConnectTimeout(connectTimeoutMillis)
                .setDecompressionSupported(false)
                .setName("lb-health-check");
        this.http1 = new Http(vertx.createHttpClient(new HttpClientOptions(base).setKeepAlive(false),
                new PoolOptions().setHttp1MaxSize(2)), false);
        // one stream per connection: probes of two pools that share a backend never share (or close) a connection
        this.http2 = new Http(vertx.createHttpClient(new HttpClientOptions(base)
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false)
                .setUseAlpn(true)
                .setHttp2MultiplexingLimit(1), new PoolOptions().setHttp1MaxSize(2).setHttp2MaxSize(4)), true);
        this.tcp = vertx.createNetClient(new NetClientOptions().setConnectTimeout(connectTimeoutMillis)
                .setTcpNoDelay(true));
    }

    /** HTTP/1.1 when {@code http2} is false; HTTP/2 otherwise. */
    Http http(boolean http2) {
        return http2 ? this.http2 : http1;
    }

    NetClient tcp() {
        return tcp;
    }

    @Override
    public void close() {
        http1.client().close();
        http2.client().close();
        tcp.close();
    }
}
