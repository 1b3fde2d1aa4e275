package io.lb.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/** Starts the demo backends with the application, in dev mode only ({@code %dev.lb.backends} points at them). */
@IfBuildProfile("dev")
@ApplicationScoped
public class DemoBackends {

    private static final Logger LOG = Logger.getLogger(DemoBackends.class);

    @Inject
    Vertx vertx;

    @Inject
    DemoConfig config;

    private final List<DemoBackend> backends = new ArrayList<>();

    void onStart(@Observes StartupEvent event) {
        List<Integer> ports = config.ports();
        for (int i = 0; i < ports.size(); i++) {
            var latency = config.latencies().get(Math.min(i, config.latencies().size() - 1));
            DemoBackend backend = new DemoBackend(vertx, "demo-" + (i + 1), ports.get(i), latency);
            backend.start().toCompletionStage().toCompletableFuture().join();
            backends.add(backend);
            LOG.infof("demo backend %s listening on http://127.0.0.1:%d (latency %d ms)", backend.name(),
                    backend.port(), latency.toMillis());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        backends.forEach(DemoBackend::stop);
    }

    public List<DemoBackend> all() {
        return List.copyOf(backends);
    }

    public Optional<DemoBackend> byName(String name) {
        return backends.stream().filter(backend -> backend.name().equals(name)).findFirst();
    }
}
