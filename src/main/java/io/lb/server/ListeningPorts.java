package io.lb.server;

import java.util.List;

import org.jboss.logging.Logger;

import io.quarkus.registry.ValueRegistry;
import io.quarkus.registry.ValueRegistry.RuntimeKey;
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
            String host = urlHost(listener.options().getHost());
            if (listener.tls()) {
                values.register(HttpServer.HTTPS_PORT, ports.tls);
                if (mode.isDevOrTest()) {
                    values.register(HttpServer.HTTPS_TEST_PORT, ports.tls);
                    values.register(RuntimeKey.key("test.url.ssl"), "https://" + host + ":" + ports.tls);
                }
                LOG.infof("traffic port listening on https://%s:%d", listener.options().getHost(), ports.tls);
            } else {
                values.register(HttpServer.HTTP_PORT, ports.plain);
                if (mode.isDevOrTest()) {
                    values.register(HttpServer.HTTP_TEST_PORT, ports.plain);
                    values.register(RuntimeKey.key("test.url"), "http://" + host + ":" + ports.plain);
                }
                LOG.infof("traffic port listening on http://%s:%d", listener.options().getHost(), ports.plain);
            }
        }
    }

    private static String urlHost(String host) {
        return host.equals("0.0.0.0") ? "localhost" : host;
    }
}
