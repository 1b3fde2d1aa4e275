package io.lb.timer;

/**
 * An action due after a delay on one event loop's {@link TimerWheel}. Cancelling is cheap and may be done any
 * number of times, also after the action ran.
 */
public final class Timeout {

    private final Runnable action;
    long deadlineTick;
    Timeout previous;
    Timeout next;
    /** The wheel whose slot holds it; null once taken off (due, or cancelled). */
    TimerWheel wheel;
    /** Ran or cancelled. */
    private boolean done;

    Timeout(TimerWheel wheel, Runnable action, long deadlineTick) {
        this.wheel = wheel;
        this.action = action;
        this.deadlineTick = deadlineTick;
    }

    /**
     * Makes sure the action does not run, also when it is already due in the tick being processed. Must be called
     * on the event loop that scheduled it.
     */
    public void cancel() {
        if (!done) {
            done = true;
            if (wheel != null) {
                wheel.remove(this);
            }
        }
    }

    public boolean isPending() {
        return !done;
    }

    void fire() {
        if (!done) {
            done = true;
            action.run();
        }
    }
}
