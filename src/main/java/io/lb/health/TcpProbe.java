package io.lb.health;

import io.lb.balancer.CheckResult;
import io.lb.config.BackendSpec;
import io.vertx.core.Promise;
import io.vertx.core.net.NetClient;

/**
 * {@code lb.health.type=tcp}: a backend that accepts a TCP connection is healthy; the connection is closed at
 * once, without a byte sent (no TLS handshake either, for {@code https://} backends).
 */
final class TcpProbe implements Probe {

    private final NetClient client;

    TcpProbe(NetClient client) {
        this.client = client;
    }

    @Override
    public void send(BackendSpec backend, Promise<CheckResult> verdict) {
        client.connect(backend.port(), backend.host()).onComplete(connected -> {
            if (connected.failed()) {
                verdict.tryComplete(Probe.unhealthy("connection failed: " + Probe.describe(connected.cause())));
                return;
            }
            verdict.tryComplete(Probe.healthy("connection accepted"));
            connected.result().close();
        });
    }
}
