package io.lb.proxy;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;

import io.lb.config.LbConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;

/** The one HTTP client that carries all proxied traffic, pooled and kept alive per backend. */
@ApplicationScoped
public class BackendClientProducer {

    public static final String NAME = "backend-client";

    @Produces
    @ApplicationScoped
    @Named(NAME)
    HttpClient backendClient(Vertx vertx, LbConfig config) {
        HttpClientOptions options = new HttpClientOptions()
                .setKeepAlive(true)
                .setKeepAliveTimeout(Math.max(1, (int) config.client().keepAliveTimeout().toSeconds()))
                .setPipelining(false)
                .setTcpNoDelay(true)
                .setConnectTimeout((int) config.timeout().connect().toMillis())
                .setDecompressionSupported(false)
                .setVerifyHost(true);
        PoolOptions pool = new PoolOptions()
                .setHttp1MaxSize(config.client().maxConnectionsPerBackend())
                .setHttp2MaxSize(Math.max(1, config.client().maxConnectionsPerBackend() / 100));
        return vertx.createHttpClient(options, pool);
    }

    void close(@Disposes @Named(NAME) HttpClient client) {
        client.close();
    }
}
