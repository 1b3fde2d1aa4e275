package io.lb.balancer;

/**
 * Fired (as a synchronous CDI event) when the pool gains or loses a backend, so that metrics and health
 * checks can follow the pool without the pool knowing about them.
 */
public record BackendEvent(Kind kind, Backend backend) {

    public enum Kind {
        ADDED,
        REMOVED
    }
}
