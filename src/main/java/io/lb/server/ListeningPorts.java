package io.lb.server;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.value.registry.ValueRegistry;
import io.quarkus.value.registry.ValueRegistry.RuntimeKey;
import io.quarkus.vertx.http.HttpServer;

/**
 * Tells the rest of Quarkus where the traffic port listens, as its own listener would: the values of
 * {@link HttpServer} in the {@link ValueRegistry} (which {@code @TestHTTPResource} and REST-assured read in tests,
 * where the port is random), a log line, and the addresses in Quarkus' startup line.
 */
final class ListeningPorts {

    private static final Logger LOG = Logger.getLogger(TrafficServer.class);

    private final ValueRegistry values;
    private final LaunchMode mode = LaunchMode.current();

    ListeningPorts(ValueRegistry values) {
        this.values = values;
    }

    void publish(List<Listener> listeners, BoundPorts ports) {
        List<String> addresses = new ArrayList<>(listeners.size());
        for (Listener listener : listeners) {
            if (listener.tls()) {
                addresses.add(publish("https", listener, ports.tls, HttpServer.HTTPS_PORT, HttpServer.HTTPS_TEST_PORT,
                        "test.url.ssl"));
            } else {
                addresses.add(publish("http", listener, ports.plain, HttpServer.HTTP_PORT, HttpServer.HTTP_TEST_PORT,
                        "test.url"));
            }
        }
        values.register(HttpServer.LOCAL_BASE_URI, URI.create(localUrl(listeners.get(0), ports)));
        StartupLine.name(String.join(" and ", addresses));
    }

    private String publish(String scheme, Listener listener, int port, RuntimeKey<Integer> portKey,
            RuntimeKey<Integer> testPortKey, String testUrlKey) {
        values.register(portKey, port);
        if (mode.isDevOrTest()) {
            values.register(testPortKey, port);
            values.register(RuntimeKey.key(testUrlKey), scheme + "://" + urlHost(listener) + ":" + port);
        }
        String address = scheme + "://" + listener.options().getHost() + ":" + port;
        LOG.infof("traffic port listening on %s", address);
        return address;
    }

    private static String localUrl(Listener listener, BoundPorts ports) {
        return (listener.tls() ? "https://" : "http://") + urlHost(listener) + ":"
                + (listener.tls() ? ports.tls : ports.plain);
    }

    private static String urlHost(Listener listener) {
        String host = listener.options().getHost();
        return host.equals("0.0.0.0") ? "localhost" : host;
    }
}
