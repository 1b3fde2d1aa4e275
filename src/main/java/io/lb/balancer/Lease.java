package io.lb.balancer;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One exchange's claim on a backend's active-connection count. However many paths try to end the exchange
 * (response done, backend error, client abort, timeout), only the first release counts.
 */
public final class Lease {

    private final Backend backend;
    private final AtomicBoolean released = new AtomicBoolean();

    Lease(Backend backend) {
        this.backend = backend;
    }

    public Backend backend() {
        return backend;
    }

    /** Ends the exchange. Returns true only for the call that actually released it. */
    public boolean release() {
        if (released.compareAndSet(false, true)) {
            backend.release();
            return true;
        }
        return false;
    }

    /** Ends the exchange as a failure of the backend. */
    public boolean releaseAsFailure() {
        if (release()) {
            backend.recordFailure();
            return true;
        }
        return false;
    }

    public boolean released() {
        return released.get();
    }
}
