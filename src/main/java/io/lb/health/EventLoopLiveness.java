package io.lb.health;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Alive while the process can still serve: a task handed to one of the event loops (round robin, so over
 * successive checks all of them) runs within {@link #DEADLINE}. A blocked or wedged event loop makes the check
 * DOWN and Kubernetes restarts the pod. Backends play no part here: a balancer with no healthy backend is alive,
 * just not ready.
 */
@Liveness
@ApplicationScoped
public class EventLoopLiveness implements AsyncHealthCheck {

    static final String NAME = "event-loops";
    static final Duration DEADLINE = Duration.ofSeconds(2);

    private final Vertx vertx;

    @Inject
    public EventLoopLiveness(Vertx vertx) {
        this.vertx = vertx;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        long start = System.nanoTime();
        return Uni.createFrom().<HealthCheckResponse>emitter(emitter -> vertx.nettyEventLoopGroup().next()
                        .execute(() -> emitter.complete(HealthCheckResponse.named(NAME).up()
                                .withData("answeredInMicros", (System.nanoTime() - start) / 1_000)
                                .build())))
                .ifNoItem().after(DEADLINE)
                .recoverWithItem(() -> HealthCheckResponse.named(NAME).down()
                        .withData("reason", "an event loop did not run a task within " + DEADLINE)
                        .build());
    }
}
