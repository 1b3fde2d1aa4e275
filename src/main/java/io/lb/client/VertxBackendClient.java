package io.lb.client;

import io.lb.config.BackendSpec;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;

/** Backends reached through the Vert.x HTTP client: those spoken to over TLS or HTTP/2. */
public final class VertxBackendClient implements BackendClient {

    private final HttpClient client;

    public VertxBackendClient(HttpClient client) {
        this.client = client;
    }

    @Override
    public void request(BackendSpec backend, HttpMethod method, String uri, RequestListener listener) {
        RequestOptions options = new RequestOptions()
                .setMethod(method)
                .setHost(backend.host())
                .setPort(backend.port())
                .setSsl(backend.tls())
                .setURI(uri);
        client.request(options).onComplete(created -> {
            if (created.failed()) {
                listener.connectFailed(created.cause());
                return;
            }
            HttpClientRequest request = created.result();
            listener.connected(new Request(request));
            request.response().onComplete(response -> {
                if (response.succeeded()) {
                    listener.responseHead(new Response(response.result()));
                } else {
                    listener.responseFailed(response.cause());
                }
            });
        });
    }

    /** A response the Vert.x client received directly (a refused WebSocket upgrade). */
    public static BackendResponse response(HttpClientResponse response) {
        return new Response(response);
    }

    private static final class Request implements BackendRequest {
        private final HttpClientRequest request;

        Request(HttpClientRequest request) {
            this.request = request;
            request.exceptionHandler(ignored -> {
                // surfaces as the response's failure as well; handled there
            });
        }

        @Override
        public void authority(HostAndPort authority) {
            request.authority(authority);
        }

        @Override
        public MultiMap headers() {
            return request.headers();
        }

        @Override
        public void setChunked(boolean chunked) {
            request.setChunked(chunked);
        }

        @Override
        public void write(Buffer chunk) {
            request.write(chunk);
        }

        @Override
        public void end() {
            request.end();
        }

        @Override
        public boolean writeQueueFull() {
            return request.writeQueueFull();
        }

        @Override
        public void drainHandler(Handler<Void> handler) {
            request.drainHandler(handler);
        }

        @Override
        public void reset(Throwable cause) {
            if (cause == null) {
                request.reset();
            } else {
                request.reset(0, cause);
            }
        }
    }

    private static final class Response implements BackendResponse {
        private final HttpClientResponse response;

        Response(HttpClientResponse response) {
            this.response = response;
        }

        @Override
        public int statusCode() {
            return response.statusCode();
        }

        @Override
        public String statusMessage() {
            return response.statusMessage();
        }

        @Override
        public MultiMap headers() {
            return response.headers();
        }

        @Override
        public MultiMap trailers() {
            return response.trailers();
        }

        @Override
        public HttpVersion version() {
            return response.version();
        }

        @Override
        public void pause() {
            response.pause();
        }

        @Override
        public void resume() {
            response.resume();
        }

        @Override
        public void handler(Handler<Buffer> handler) {
            response.handler(handler);
        }

        @Override
        public void endHandler(Handler<Void> handler) {
            response.endHandler(handler);
        }

        @Override
        public void exceptionHandler(Handler<Throwable> handler) {
            response.exceptionHandler(handler);
        }
    }
}
