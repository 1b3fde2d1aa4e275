package io.lb.testing;

import java.util.concurrent.CountDownLatch;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/** Ready-made backend behaviours for {@link TestBackend}. */
public final class Behaviours {

    private Behaviours() {
    }

    public static Handler<HttpServerRequest> answerWithName(String name) {
        return request -> request.body().onComplete(ignored -> request.response()
                .putHeader("Content-Type", "text/plain")
                .end(name));
    }

    /** Echoes the method, the URI and the body; the body comes back with the request's content type. */
    public static Handler<HttpServerRequest> echo() {
        return request -> request.body().onSuccess(body -> {
            var response = request.response()
                    .putHeader("X-Echo-Method", request.method().name())
                    .putHeader("X-Echo-Uri", request.uri());
            String type = request.getHeader("Content-Type");
            if (type != null) {
                response.putHeader("Content-Type", type);
            }
            response.end(body);
        });
    }

    public static Handler<HttpServerRequest> status(int status) {
        return request -> request.body().onComplete(ignored -> request.response().setStatusCode(status)
                .end("status " + status));
    }

    /** Answers after {@code millis}, with the backend's name. */
    public static Handler<HttpServerRequest> slow(String name, long millis) {
        return request -> request.body().onComplete(ignored -> TestBackend.vertx().setTimer(millis,
                id -> request.response().end(name)));
    }

    /** A streamed body followed by trailers, given as name, value, name, value... (gRPC puts its status there). */
    public static Handler<HttpServerRequest> withTrailers(String body, String... trailers) {
        return request -> request.body().onComplete(ignored -> {
            var response = request.response().setChunked(true);
            response.write(body);
            for (int i = 0; i + 1 < trailers.length; i += 2) {
                response.putTrailer(trailers[i], trailers[i + 1]);
            }
            response.end();
        });
    }

    /** Never answers: reads the request and keeps the connection open. */
    public static Handler<HttpServerRequest> hang() {
        return request -> request.body();
    }

    /** Answers with its name only once {@code gate} opens. */
    public static Handler<HttpServerRequest> holdUntil(CountDownLatch gate, String name) {
        return request -> request.body().onComplete(ignored -> TestBackend.vertx().executeBlocking(() -> {
            gate.await();
            return null;
        }, false).onComplete(done -> request.response().end(name)));
    }

    /** Reads the whole request, then closes the connection without a response. */
    public static Handler<HttpServerRequest> closeAfterRequest() {
        return request -> request.body().onComplete(ignored -> request.connection().close());
    }

    /** Sends headers announcing {@code announced} bytes, sends fewer, then closes the connection. */
    public static Handler<HttpServerRequest> truncatedBody(int announced, int sent) {
        return request -> request.body().onComplete(ignored -> {
            var response = request.response().putHeader("Content-Length", String.valueOf(announced));
            response.write(Buffer.buffer(new byte[sent])).onComplete(written -> request.connection().close());
        });
    }
}
