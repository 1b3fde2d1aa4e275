package io.lb.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;

/** A real HTTPS backend on a random loopback port, with the test certificate; it answers with its name. */
public final class HttpsBackend implements AutoCloseable {

    private final List<MultiMap> received = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private int port;

    public static HttpsBackend start(String name) {
        TestCertificates certificates = TestCertificates.get();
        return start(name, certificates.certificate(), certificates.key());
    }

    /** A backend that presents {@code certificate}. */
    public static HttpsBackend start(String name, java.nio.file.Path certificate, java.nio.file.Path key) {
        HttpsBackend backend = new HttpsBackend();
        backend.server = TestBackend.await(TestBackend.vertx().createHttpServer(new HttpServerOptions()
                .setHost("127.0.0.1").setPort(0).setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setCertPath(certificate.toString())
                        .setKeyPath(key.toString())))
                .requestHandler(request -> {
                    backend.received.add(MultiMap.caseInsensitiveMultiMap().addAll(request.headers()));
                    request.response().end(name);
                }).listen());
        backend.port = backend.server.actualPort();
        return backend;
    }

    /** With {@code host} as the name the balancer must verify (localhost or 127.0.0.1 are both in the cert). */
    public String url(String host) {
        return "https://" + host + ":" + port;
    }

    public List<MultiMap> received() {
        return received;
    }

    @Override
    public void close() {
        if (server != null) {
            TestBackend.await(server.close());
            server = null;
        }
    }
}
