package io.lb.balancer;

/**
 * Peak-EWMA of a backend's response latency (Finagle, Linkerd): a slower sample is taken at once (the peak),
 * a faster one only gradually, with an exponential decay of time constant {@code tau}. The fields are updated
 * without a lock: two responses racing may lose one sample, which an estimate can afford.
 */
public final class LatencyEstimate {

    private volatile double costNanos;
    private volatile long stampNanos = System.nanoTime();

    /** Records one response head latency. */
    public void observe(long latencyNanos, long nowNanos, double tauNanos) {
        double previous = costNanos;
        if (latencyNanos > previous) {
            costNanos = latencyNanos;
        } else {
            double decay = Math.exp(-Math.max(0, nowNanos - stampNanos) / tauNanos);
            costNanos = previous * decay + latencyNanos * (1 - decay);
        }
        stampNanos = nowNanos;
    }

    /** The last estimate in nanoseconds; 0 before the first sample. */
    public double costNanos() {
        return costNanos;
    }

    /**
     * The estimate as of {@code nowNanos}: it decays towards zero while no sample comes, so that a backend
     * that was slow once is tried again after a while instead of being starved forever (Finagle does the same).
     */
    public double costNanos(long nowNanos, double tauNanos) {
        return costNanos * Math.exp(-Math.max(0, nowNanos - stampNanos) / tauNanos);
    }
}
