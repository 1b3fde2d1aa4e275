package io.lb.proxy;

import java.util.ArrayList;
import java.util.List;

import io.lb.balancer.Backend;
import io.lb.balancer.Lease;
import io.lb.client.VertxBackendClient;
import io.lb.timer.Timeout;
import io.lb.timer.TimerWheel;
import io.vertx.core.AsyncResult;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.NetSocket;

/**
 * A WebSocket connection through the balancer: the upgrade request goes to the least-connected backend with its
 * {@code Upgrade}/{@code Connection}/{@code Sec-WebSocket-*} headers kept (the one exception to hop-by-hop
 * stripping); if that backend switches protocols, the client's connection is switched too and from then on
 * bytes are piped both ways untouched (frames, extensions, close handshake), with back-pressure, until either
 * side closes. A backend that does not switch has its answer relayed as an ordinary response.
 * <p>
 * The tunnel holds one lease on its backend for its whole life, released exactly once when it ends.
 * Everything here runs on the client connection's event loop.
 */
final class WebSocketTunnel extends ExchangeRecord {

    private final Forwarding forwarding;
    private final HttpClient upgradeClient;
    private final RouteTarget target;
    private final Upstream upstream;
    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final HostAndPort authority;
    private final String backendUri;
    private final List<Backend> tried = new ArrayList<>(2);
    private Lease lease;
    private HttpClientRequest backendRequest;
    private NetSocket backendSocket;
    private NetSocket clientSocket;
    private Timeout responseTimeout;
    private Throwable lastConnectFailure;
    private String stickyToken;
    private long switchedNanos;
    private boolean open;

    WebSocketTunnel(Forwarding forwarding, HttpClient upgradeClient, RouteTarget target, HttpServerRequest request,
            HostAndPort authority, String uri) {
        super(request, target.route(), target.upstream().name(), forwarding.requestIds().of(request));
        this.forwarding = forwarding;
        this.upgradeClient = upgradeClient;
        this.target = target;
        this.upstream = target.upstream();
        this.request = request;
        this.response = request.response();
        this.authority = authority;
        this.backendUri = target.route().forwardedUri(uri);
    }

    /** An HTTP/1.1 {@code GET} with {@code Upgrade: websocket} and {@code Connection: upgrade} (RFC 6455 §4.1). */
    static boolean isWebSocketUpgrade(HttpServerRequest request) {
        if (request.method() != HttpMethod.GET || request.version() == HttpVersion.HTTP_2) {
            return false;
        }
        String upgrade = request.getHeader(HttpHeaders.UPGRADE);
        if (upgrade == null || !HopByHopHeaders.listsToken(upgrade, "websocket")) {
            return false;
        }
        for (String connection : request.headers().getAll(HttpHeaders.CONNECTION)) {
            if (HopByHopHeaders.listsToken(connection, "upgrade")) {
                return true;
            }
        }
        return false;
    }

    void start() {
        forwarding.listeners().exchangeStarted(this);
        response.closeHandler(ignored -> clientGone());
        tryNextBackend(null);
    }

    private void tryNextBackend(String retryReason) {
        if (tried.isEmpty()) {
            stickyToken = upstream.stickyToken(request);
        }
        Backend backend = upstream.choose(stickyToken, tried);
        if (backend == null) {
            if (retryReason != null) {
                forwarding.listeners().retryAbandoned(this, "no_backend");
            }
            if (lastConnectFailure == null) {
                answer(503, ErrorResponses.NO_BACKEND);
                end(null, 503, Outcome.NO_BACKEND);
            } else {
                answer(502, ErrorResponses.badGateway(AttemptFailure.Kind.CONNECT));
                end(tried.get(tried.size() - 1), 502, Outcome.BACKEND_ERROR);
            }
            return;
        }
        tried.add(backend);
        if (retryReason != null) {
            retried(retryReason);
        }
        forwarding.listeners().tryStarted(this, backend, retryReason);
        Lease attemptLease = backend.lease();
        lease = attemptLease;
        Backend chosen = backend;
        upgradeClient.request(options(backend)).onComplete(connected -> {
            if (over()) {
                if (connected.succeeded()) {
                    connected.result().reset();
                }
                attemptLease.release();
                return;
            }
            if (connected.failed()) {
                attemptLease.releaseAsFailure();
                AttemptFailure failure = AttemptFailure.beforeSend(connected.cause());
                forwarding.listeners().tryEnded(this, chosen, 0, failure.reason());
                if (failure.kind() == AttemptFailure.Kind.CONNECT) {
                    forwarding.health().connectionFailed(chosen, connected.cause().getMessage());
                }
                lastConnectFailure = connected.cause();
                if (tried.size() < upstream.retry().maxAttempts()) {
                    tryNextBackend(failure.reason());
                } else {
                    answer(502, ErrorResponses.badGateway(AttemptFailure.Kind.CONNECT));
                    end(chosen, 502, Outcome.BACKEND_ERROR);
                }
                return;
            }
            HttpClientRequest upgrade = connected.result();
            backendRequest = upgrade;
            upgrade.exceptionHandler(ignored -> {
                // surfaces through connect() or, once tunnelled, as the backend socket closing
            });
            if (authority != null) {
                upgrade.authority(authority);
            }
            responseTimeout = timers().schedule(upstream.responseTimeoutMillis(), () -> upgrade.reset(0,
                    new AttemptFailure(AttemptFailure.Kind.TIMEOUT, null)));
            upgrade.connect().onComplete(head -> onResponseHead(chosen, head));
        });
    }

    private void onResponseHead(Backend backend, AsyncResult<HttpClientResponse> head) {
        if (responseTimeout != null) {
            responseTimeout.cancel();
        }
        if (over()) {
            if (head.succeeded() && head.result().statusCode() == 101) {
                head.result().netSocket().close();
            }
            backendRequest.reset();
            lease.release();
            return;
        }
        if (head.failed()) {
            lease.releaseAsFailure();
            AttemptFailure failure = AttemptFailure.afterSend(head.cause());
            forwarding.listeners().tryEnded(this, backend, 0, failure.reason());
            forwarding.health().gatewayError(backend, failure.getMessage());
            if (failure.kind() == AttemptFailure.Kind.TIMEOUT) {
                answer(504, ErrorResponses.GATEWAY_TIMEOUT);
                end(backend, 504, Outcome.TIMEOUT);
            } else {
                answer(502, ErrorResponses.badGateway(failure));
                end(backend, 502, Outcome.BACKEND_ERROR);
            }
            return;
        }
        HttpClientResponse backendResponse = head.result();
        headArrived();
        forwarding.health().responded(backend, backendResponse.statusCode());
        upstream.stick(request, stickyToken, backend);
        if (backendResponse.statusCode() == 101) {
            switchProtocols(backend, backendResponse);
        } else {
            relayRefusal(backend, backendResponse);
        }
    }

    /** The backend did not upgrade: its answer is an ordinary response for the client. */
    private void relayRefusal(Backend backend, HttpClientResponse backendResponse) {
        int status = backendResponse.statusCode();
        ResponseRelay.relay(timers(), VertxBackendClient.response(backendResponse), response, HttpMethod.GET,
                forwarding.idleTimeoutMillis(), System.nanoTime(), new ResponseRelay.Listener() {
                    @Override
                    public void finishHeaders(MultiMap clientHeaders) {
                        finishResponseHeaders(clientHeaders);
                    }

                    @Override
                    public void relayEnded(Throwable failure) {
                        refusalRelayed(backend, status, failure);
                    }
                });
    }

    private void refusalRelayed(Backend backend, int status, Throwable failure) {
        forwarding.listeners().tryEnded(this, backend, status, failure == null ? null : "body_cut");
        if (failure == null) {
            end(backend, status, Outcome.SUCCESS);
        } else if (response.closed()) {
            backendRequest.reset();
            end(backend, status, Outcome.CLIENT_ABORT);
        } else {
            lease.releaseAsFailure();
            backendRequest.reset();
            response.reset();
            end(backend, status, Outcome.BACKEND_ERROR);
        }
    }

    private void switchProtocols(Backend backend, HttpClientResponse backendResponse) {
        switchedNanos = System.nanoTime();
        backendSocket = backendResponse.netSocket();
        // Vert.x sends the 101 with the response's headers: the backend's handshake answer, as it gave it
        // (Upgrade, Connection, Sec-WebSocket-Accept, -Protocol, -Extensions and whatever else it said).
        MultiMap headers = response.headers();
        backendResponse.headers().forEach(header -> headers.add(header.getKey(), header.getValue()));
        request.toNetSocket().onComplete(upgraded -> {
            if (upgraded.failed() || over()) {
                backendSocket.close();
                if (upgraded.succeeded()) {
                    upgraded.result().close();
                }
                end(backend, 0, Outcome.CLIENT_ABORT);
                return;
            }
            clientSocket = upgraded.result();
            open = true;
            forwarding.listeners().tunnelOpened(this);
            clientSocket.closeHandler(ignored -> end(backend, 101, Outcome.SUCCESS));
            backendSocket.closeHandler(ignored -> end(backend, 101, Outcome.SUCCESS));
            clientSocket.pipeTo(backendSocket);
            backendSocket.pipeTo(clientSocket);
        });
    }

    private void clientGone() {
        if (over()) {
            return;
        }
        if (open) {
            end(lease.backend(), 101, Outcome.SUCCESS);
            return;
        }
        if (backendRequest != null) {
            backendRequest.reset();
        }
        end(lease == null ? null : lease.backend(), 0, Outcome.CLIENT_ABORT);
    }

    /** The one place a tunnel (or a refused upgrade) ends: the lease is released and it is counted once. */
    private void end(Backend backend, int finalStatus, Outcome how) {
        // a tunnel's latency is its handshake's: its lifetime (minutes, hours) would swamp the request histogram
        if (!ended(backend, finalStatus, how, switchedNanos != 0 ? switchedNanos : System.nanoTime())) {
            return;
        }
        // heard before the lease is released, which may take a retired backend (and its meters) away
        forwarding.listeners().exchangeEnded(this);
        if (lease != null) {
            lease.release();
        }
        if (open) {
            clientSocket.close();
            backendSocket.close();
        }
    }

    private RequestOptions options(Backend backend) {
        MultiMap headers = forwarding.headers().upgrade(request, authority);
        forwarding.requestIds().write(requestId(), headers);
        target.route().request().applyTo(headers);
        forwarding.listeners().tryHeaders(this, backend, headers);
        // the handshake is hop-by-hop by nature, and the reason this request exists: it goes through
        headers.set(HttpHeaders.UPGRADE, request.getHeader(HttpHeaders.UPGRADE));
        headers.set(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE);
        return new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(backend.spec().host())
                .setPort(backend.spec().port())
                .setSsl(backend.spec().tls())
                .setURI(backendUri)
                .setHeaders(headers);
    }

    private void answer(int errorStatus, String body) {
        ErrorResponses.send(request, errorStatus, body, forwarding.requestIds(), requestId(), false);
    }

    private void finishResponseHeaders(MultiMap clientHeaders) {
        target.route().response().applyTo(clientHeaders);
        forwarding.requestIds().write(requestId(), clientHeaders);
    }

    private TimerWheel timers() {
        return TimerWheel.ofCurrentEventLoop(forwarding.vertx());
    }

    @Override
    public String backendUri() {
        return backendUri;
    }

    @Override
    public boolean tunnel() {
        return true;
    }

    @Override
    public int tries() {
        return tried.size();
    }
}
