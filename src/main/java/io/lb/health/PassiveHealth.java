package io.lb.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendState;

/**
 * Learns about backends from real traffic: a backend that cannot be connected to is taken out at once, so
 * that least connections never turns it into a black hole; the active checks bring it back.
 */
@ApplicationScoped
public class PassiveHealth {

    private static final Logger LOG = Logger.getLogger(PassiveHealth.class);

    /** The connection to {@code backend} failed or was reset: it is DOWN until an active check says otherwise. */
    public void connectionFailed(Backend backend, String reason) {
        if (backend.transitionTo(BackendState.DOWN)) {
            LOG.warnf("backend %s DOWN: %s (passive detection)", backend.id(), reason);
        }
    }

    /** {@code backend} took the request but gave no usable answer (timeout, closed early, cut body). */
    public void gatewayError(Backend backend, String reason) {
    }

    /** {@code backend} answered with {@code status}. */
    public void responded(Backend backend, int status) {
    }
}
