package io.lb.health;

import io.lb.balancer.CheckResult;
import io.lb.config.BackendSpec;
import io.lb.config.StatusRanges;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * {@code lb.health.type=http}: a {@code GET lb.health.path}, healthy when the status is one of
 * {@code lb.health.statuses}; the body is not read. Over HTTP/1.1 it says {@code Connection: close}; over HTTP/2
 * (traffic on h2c) the connection is closed after the probe: each probe makes a fresh connection.
 */
final class HttpProbe implements Probe {

    private final ProbeClients.Http client;
    private final String path;
    private final StatusRanges healthyStatuses;

    HttpProbe(ProbeClients.Http client, String path, StatusRanges healthyStatuses) {
        this.client = client;
        this.path = path;
        this.healthyStatuses = healthyStatuses;
    }

    @Override
    public void send(BackendSpec backend, Promise<CheckResult> verdict) {
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(backend.host())
                .setPort(backend.port())
                .setSsl(backend.tls())
                .setURI(path)
                .putHeader(HttpHeaders.USER_AGENT, ActiveHealthCheck.USER_AGENT);
        if (!client.http2()) {
            options.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        }
        HttpClient http = client.client();
        http.request(options).onComplete(created -> {
            if (created.failed()) {
                verdict.tryComplete(Probe.unhealthy("connection failed: " + Probe.describe(created.cause())));
                return;
            }
            HttpClientRequest request = created.result();
            request.exceptionHandler(ignored -> {
            });
            // the body is not needed: the reset ends the exchange, quietly, and the connection goes with it
            verdict.future().onComplete(ignored -> ProbeClients.Http.discard(request));
            if (verdict.future().isComplete()) {
                return;
            }
            request.send().onComplete(head -> {
                if (head.failed()) {
                    verdict.tryComplete(Probe.unhealthy("request failed: " + Probe.describe(head.cause())));
                    return;
                }
                head.result().exceptionHandler(ignored -> {
                });
                int status = head.result().statusCode();
                verdict.tryComplete(healthyStatuses.contains(status) ? Probe.healthy("status " + status)
                        : Probe.unhealthy("status " + status));
            });
        });
    }
}
