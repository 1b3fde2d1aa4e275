package io.lb.balancer;

/** Whether a backend is taking traffic as far as health checking knows. */
public enum BackendState {
    UP,
    DOWN
}
