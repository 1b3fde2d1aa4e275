package io.lb.server;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import io.lb.config.InvalidConfigException;
import io.lb.proxy.Proxy;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.annotations.RegisterForProxy;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.quarkus.vertx.http.runtime.VertxHttpBuildTimeConfig;
import io.quarkus.vertx.http.runtime.VertxHttpConfig;
import io.quarkus.vertx.http.runtime.VertxHttpConfig.InsecureRequests;
import io.quarkus.vertx.http.runtime.options.HttpServerOptionsUtils;
import io.vertx.core.http.HttpServerOptions;

/**
 * The traffic port's listeners, built from {@code quarkus.http.*} with Quarkus' own option builders: the plain
 * listener unless {@code quarkus.http.insecure-requests=disabled} (with {@code redirect} it only redirects to
 * HTTPS), and the TLS listener when a certificate or {@code quarkus.http.tls-configuration-name} is configured.
 */
@RegisterForProxy(targets = VertxHttpConfig.class)
@RegisterForReflection(targets = VertxHttpConfig.class, methods = true, fields = false) // the proxy's calls, in native
final class Listeners {

    private Listeners() {
    }

    static List<Listener> of(VertxHttpConfig http, VertxHttpBuildTimeConfig build, LaunchMode mode,
            TlsConfigurationRegistry tlsRegistry, Proxy proxy, BoundPorts ports) throws IOException {
        refuseWhatOnlyQuarkusListenerDoes(http, build);
        // Quarkus' builder returns no TLS options when its own listener is off, which is the case here by design.
        HttpServerOptions tls = HttpServerOptionsUtils.createSslOptions(build, listenerOn(http), mode, List.of(),
                tlsRegistry);
        if (tls != null && tls.getKeyCertOptions() == null) {
            tls = null; // as Quarkus does: TLS settings without a certificate mean no TLS listener
        }
        InsecureRequests insecure = HttpServerOptionsUtils.getInsecureRequestStrategy(http, build, mode);
        if (insecure != InsecureRequests.ENABLED && tls == null) {
            throw new InvalidConfigException("quarkus.http.insecure-requests: invalid value '"
                    + insecure.name().toLowerCase() + "': needs TLS on the traffic port (quarkus.http.ssl.certificate.*"
                    + " or quarkus.http.tls-configuration-name)");
        }
        List<Listener> listeners = new ArrayList<>(2);
        if (insecure != InsecureRequests.DISABLED) {
            HttpServerOptions plain = new HttpServerOptions();
            int port = http.determinePort(mode);
            plain.setPort(port == 0 ? HttpServerOptionsUtils.RANDOM_PORT_MAIN_HTTP : port);
            HttpServerOptionsUtils.applyCommonOptions(plain, build, http, List.of());
            listeners.add(new Listener(false, plain,
                    insecure == InsecureRequests.REDIRECT ? new HttpsRedirect(ports) : proxy::handle));
        }
        if (tls != null) {
            listeners.add(new Listener(true, tls, proxy::handle));
        }
        return listeners;
    }

    /**
     * Settings that only Quarkus' own listener (its router and wrappers) honours: silently ignoring one would
     * surprise whoever set it, so startup fails and names it.
     */
    private static void refuseWhatOnlyQuarkusListenerDoes(VertxHttpConfig http, VertxHttpBuildTimeConfig build) {
        if (http.accessLog().enabled()) {
            refuse("quarkus.http.access-log.enabled", "true");
        }
        if (http.ssl().certificate().reloadPeriod().isPresent()) {
            refuse("quarkus.http.ssl.certificate.reload-period", http.ssl().certificate().reloadPeriod().get());
        }
        if (http.domainSocketEnabled()) {
            refuse("quarkus.http.domain-socket-enabled", "true");
        }
        if (!build.rootPath().equals("/")) {
            refuse("quarkus.http.root-path", build.rootPath());
        }
        if (!http.header().isEmpty()) {
            refuse("quarkus.http.header.*", http.header().keySet());
        }
        if (!http.filter().isEmpty()) {
            refuse("quarkus.http.filter.*", http.filter().keySet());
        }
    }

    private static void refuse(String key, Object value) {
        throw new InvalidConfigException(key + ": invalid value '" + value + "': the balancer's own traffic listener"
                + " does not support it; set quarkus.http.host-enabled=true to serve the traffic port with Quarkus'"
                + " listener, at some CPU per request");
    }

    /** The same settings, read as if Quarkus' own listener were on. */
    private static VertxHttpConfig listenerOn(VertxHttpConfig http) {
        return (VertxHttpConfig) java.lang.reflect.Proxy.newProxyInstance(VertxHttpConfig.class.getClassLoader(),
                new Class<?>[] { VertxHttpConfig.class }, (self, method, args) -> hostEnabledOr(http, method, args));
    }

    private static Object hostEnabledOr(VertxHttpConfig http, Method method, Object[] args) throws Throwable {
        if (method.getName().equals("hostEnabled") && method.getParameterCount() == 0) {
            return Boolean.TRUE;
        }
        try {
            return method.invoke(http, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
