package io.lb.server;

import java.util.List;

import org.jboss.logging.Logger;

import io.quarkus.value.registry.ValueRegistry;
import io.quarkus.value.registry.ValueRegistry.RuntimeKey;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.vertx.http.HttpServer;

/**
 * Tells the rest of Quarkus where the traffic port listens, as its own server would: the port values (which
 * {@code @TestHTTPResource} and REST-assured read in tests, where the port is random) and a log line.
 */
final class ListeningPorts {

    private static final Logger LOG = Logger.getLogger(TrafficServer.class);

    private final ValueRegistry values;
    private final LaunchMode mode;

    ListeningPorts(ValueRegistry values, LaunchMode mode) {
        this.values = values;
        this.mode = mode;
    }

    void publish(List<Listener> listeners, BoundPorts ports) {
        for (Listener listener : listeners) {
            if (listener.tls()) {
                publish("https", listener, ports.tls, HttpServer.HTTPS_PORT, HttpServer.HTTPS_TEST_PORT, "test.url.ssl");
            } else {
                publish("http", listener, ports.plain, HttpServer.HTTP_PORT, HttpServer.HTTP_TEST_PORT, "test.url");
            }
        }
    }

    private void publish(String scheme, Listener listener, int port, RuntimeKey<Integer> portKey,
            RuntimeKey<Integer> testPortKey, String testUrlKey) {
        String host = listener.options().getHost();
        values.register(portKey, port);
        if (mode.isDevOrTest()) {
            values.register(testPortKey, port);
            values.register(RuntimeKey.key(testUrlKey), scheme + "://" + urlHost(host) + ":" + port);
        }
        LOG.infof("traffic port listening on %s://%s:%d", scheme, host, port);
    }

    private static String urlHost(String host) {
        return host.equals("0.0.0.0") ? "localhost" : host;
    }
}
