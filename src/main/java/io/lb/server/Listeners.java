package io.lb.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.lb.client.TlsEngine;
import io.lb.config.InvalidConfigException;
import io.lb.proxy.Proxy;
import io.lb.server.QuarkusHttpSettings.PlainListener;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.http.HttpServerOptions;

/**
 * The traffic port's listeners, built from {@code quarkus.http.*} with Quarkus' own option builders: the plain
 * listener unless {@code quarkus.http.insecure-requests=disabled} (with {@code redirect} it only redirects to
 * HTTPS), and the TLS listener when a certificate or {@code quarkus.http.tls-configuration-name} is configured,
 * with {@link TlsEngine}'s engine (OpenSSL where it loads) instead of the JDK's that Quarkus' builder picks.
 */
final class Listeners {

    private Listeners() {
    }

    static List<Listener> of(QuarkusHttpSettings http, TlsConfigurationRegistry tlsRegistry, Proxy proxy,
            BoundPorts ports) throws IOException {
        http.refuseWhatOnlyQuarkusListenerDoes();
        HttpServerOptions tls = http.tlsOptions(tlsRegistry);
        PlainListener plain = http.plainListener();
        if (plain != PlainListener.SERVE && tls == null) {
            throw new InvalidConfigException("quarkus.http.insecure-requests: invalid value '"
                    + (plain == PlainListener.REDIRECT ? "redirect" : "disabled") + "': needs TLS on the traffic port"
                    + " (quarkus.http.ssl.certificate.* or quarkus.http.tls-configuration-name)");
        }
        List<Listener> listeners = new ArrayList<>(2);
        if (plain != PlainListener.OFF) {
            listeners.add(new Listener(false, http.plainOptions(),
                    plain == PlainListener.REDIRECT ? new HttpsRedirect(ports) : proxy::handle));
        }
        if (tls != null) {
            tls.setSslEngineOptions(TlsEngine.vertxOptions());
            TlsEngine.load();
            listeners.add(new Listener(true, tls, proxy::handle));
        }
        return listeners;
    }
}
