package io.lb.health;

import io.lb.balancer.CheckResult;
import io.lb.config.BackendSpec;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * {@code lb.health.type=grpc}: the standard gRPC health check, a unary {@code grpc.health.v1.Health/Check} for
 * {@code lb.health.grpc.service} over HTTP/2. Healthy only when the call ends with {@code grpc-status: 0} and the
 * answer is SERVING; any other status, another HTTP status, a response that is not gRPC or a malformed one is not.
 * The request carries the probe's timeout as {@code grpc-timeout}, so that the server gives up when the balancer
 * does.
 */
final class GrpcProbe implements Probe {

    static final String PATH = "/grpc.health.v1.Health/Check";
    /** A HealthCheckResponse is a few bytes; anything much larger is no health answer. */
    private static final int MAX_BODY = 16 * 1024;

    private final ProbeClients.Http client;
    private final Buffer request;
    private final String grpcTimeout;

    GrpcProbe(ProbeClients.Http client, String service, long timeoutMillis) {
        this.client = client;
        this.request = GrpcHealthMessages.request(service);
        this.grpcTimeout = Math.min(timeoutMillis, 99_999_999L) + "m"; // at most 8 digits
    }

    @Override
    public void send(BackendSpec backend, Promise<CheckResult> verdict) {
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(backend.host())
                .setPort(backend.port())
                .setSsl(backend.tls())
                .setURI(PATH)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/grpc")
                .putHeader("te", "trailers")
                .putHeader("grpc-timeout", grpcTimeout)
                .putHeader(HttpHeaders.USER_AGENT, ActiveHealthCheck.USER_AGENT);
        client.client().request(options).onComplete(created -> {
            if (created.failed()) {
                verdict.tryComplete(Probe.unhealthy("connection failed: " + Probe.describe(created.cause())));
                return;
            }
            HttpClientRequest call = created.result();
            call.exceptionHandler(ignored -> {
            });
            verdict.future().onComplete(ignored -> ProbeClients.Http.discard(call));
            if (verdict.future().isComplete()) {
                return;
            }
            call.send(request.copy()).onComplete(head -> {
                if (head.failed()) {
                    verdict.tryComplete(Probe.unhealthy("request failed: " + Probe.describe(head.cause())));
                } else {
                    read(head.result(), verdict);
                }
            });
        });
    }

    private static void read(HttpClientResponse response, Promise<CheckResult> verdict) {
        response.exceptionHandler(failure -> verdict.tryComplete(
                Probe.unhealthy("response failed: " + Probe.describe(failure))));
        if (response.statusCode() != 200) {
            verdict.tryComplete(Probe.unhealthy("HTTP status " + response.statusCode()));
            return;
        }
        String type = response.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null || !type.regionMatches(true, 0, "application/grpc", 0, 16)) {
            verdict.tryComplete(Probe.unhealthy("not a gRPC response (content-type " + type + ")"));
            return;
        }
        Buffer body = Buffer.buffer(16);
        response.handler(chunk -> {
            if (body.length() + chunk.length() > MAX_BODY) {
                verdict.tryComplete(Probe.unhealthy("response larger than " + MAX_BODY + " bytes"));
            } else {
                body.appendBuffer(chunk);
            }
        });
        response.endHandler(ignored -> verdict.tryComplete(verdict(response.headers(), response.trailers(), body)));
    }

    /** The call's outcome: its status (in the trailers, or in the head of a trailers-only answer), then its answer. */
    static CheckResult verdict(MultiMap headers, MultiMap trailers, Buffer body) {
        String status = trailers.get("grpc-status");
        MultiMap ending = trailers;
        if (status == null) {
            status = headers.get("grpc-status");
            ending = headers;
        }
        if (status == null) {
            return Probe.unhealthy("no grpc-status in the response");
        }
        if (!status.strip().equals("0")) {
            String message = ending.get("grpc-message");
            return Probe.unhealthy("grpc-status " + GrpcHealthMessages.codeName(status)
                    + (message == null ? "" : ": " + shortened(message)));
        }
        try {
            int serving = GrpcHealthMessages.servingStatus(body);
            String name = GrpcHealthMessages.statusName(serving);
            return serving == GrpcHealthMessages.SERVING ? Probe.healthy(name) : Probe.unhealthy(name);
        } catch (IllegalArgumentException e) {
            return Probe.unhealthy("malformed HealthCheckResponse: " + e.getMessage());
        }
    }

    /** A server's message, cut short: it goes into logs and the admin API. */
    private static String shortened(String message) {
        return message.length() <= 200 ? message : message.substring(0, 200) + "...";
    }
}
