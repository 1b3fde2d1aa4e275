package io.lb.timer;

import java.util.ArrayList;
import java.util.List;

import io.vertx.core.Vertx;

/**
 * The request timeouts of one event loop: a hashed timing wheel (as in Varghese and Lauck, and Netty's
 * {@code HashedWheelTimer}), used only from its event loop's thread.
 *
 * <p>Why not {@code vertx.setTimer}: every proxied request arms and cancels two timeouts (the response head's and
 * the response body's idle watchdog), nearly all of which never fire. A Vert.x timer costs a registration in a
 * shared concurrent map plus an insertion in and a removal from Netty's priority queue; the profile in
 * docs/benchmarks.md put those at 8 % of the event loop's time. Here scheduling and cancelling are a few pointer
 * writes, and one Vert.x periodic timer per event loop (only while timeouts are pending) moves the wheel.
 *
 * <p>Timeouts fire between their delay and their delay plus one {@link #TICK_MILLIS tick} later.
 */
public final class TimerWheel {

    public static final long TICK_MILLIS = 10;
    private static final long TICK_NANOS = TICK_MILLIS * 1_000_000;
    private static final int SLOTS = 256; // one turn covers 2.56 s; longer delays wait for their turn
    private static final int MASK = SLOTS - 1;
    /** A wheel whose periodic timer has not ticked for this long lost it (its context was closed): re-arm it. */
    private static final long STALL_NANOS = 1_000_000_000L;
    private static final ThreadLocal<TimerWheel> OF_THREAD = new ThreadLocal<>();

    private final Vertx vertx;
    private final long originNanos = System.nanoTime();
    private final Timeout[] slots = new Timeout[SLOTS];
    /** Every tick up to this one has been processed. */
    private long processedTick;
    private long lastTickNanos = originNanos;
    private int pending;
    private long periodicTimer = -1;

    TimerWheel(Vertx vertx) {
        this.vertx = vertx;
    }

    /** The wheel of the event loop running the caller, made on first use. */
    public static TimerWheel ofCurrentEventLoop(Vertx vertx) {
        TimerWheel wheel = OF_THREAD.get();
        if (wheel == null) {
            wheel = new TimerWheel(vertx);
            OF_THREAD.set(wheel);
        }
        return wheel;
    }

    /** Runs {@code action} on this event loop after {@code delayMillis} unless the returned timeout is cancelled. */
    public Timeout schedule(long delayMillis, Runnable action) {
        return schedule(delayMillis, action, System.nanoTime());
    }

    /** As {@link #schedule(long, Runnable)}, from {@code now}: a {@link System#nanoTime()} the caller just read. */
    public Timeout schedule(long delayMillis, Runnable action, long now) {
        long dueNanos = now - originNanos + Math.max(0, delayMillis) * 1_000_000;
        long tick = Math.max(processedTick + 1, (dueNanos + TICK_NANOS - 1) / TICK_NANOS);
        Timeout timeout = new Timeout(this, action, tick);
        link(timeout);
        pending++;
        if (periodicTimer < 0 || now - lastTickNanos > STALL_NANOS) {
            startTicking(now);
        }
        return timeout;
    }

    int pending() {
        return pending;
    }

    boolean ticking() {
        return periodicTimer >= 0;
    }

    void remove(Timeout timeout) {
        unlink(timeout);
        pending--;
    }

    private void startTicking(long now) {
        if (periodicTimer >= 0) {
            vertx.cancelTimer(periodicTimer);
        }
        lastTickNanos = now;
        periodicTimer = vertx.setPeriodic(TICK_MILLIS, id -> tick());
    }

    private void tick() {
        long now = System.nanoTime();
        lastTickNanos = now;
        long currentTick = (now - originNanos) / TICK_NANOS;
        List<Timeout> due = null;
        // after a stall longer than one turn, one pass over every slot still finds everything that is due
        long last = Math.min(currentTick, processedTick + SLOTS);
        for (long tick = processedTick + 1; tick <= last; tick++) {
            due = collectDue(slots[(int) (tick & MASK)], currentTick, due);
        }
        processedTick = Math.max(processedTick, currentTick);
        if (due != null) {
            // run only after the wheel is consistent: an action may schedule or cancel other timeouts
            for (Timeout timeout : due) {
                timeout.fire();
            }
        }
        if (pending == 0) {
            vertx.cancelTimer(periodicTimer);
            periodicTimer = -1;
        }
    }

    private List<Timeout> collectDue(Timeout head, long currentTick, List<Timeout> due) {
        Timeout timeout = head;
        while (timeout != null) {
            Timeout next = timeout.next;
            if (timeout.deadlineTick <= currentTick) {
                remove(timeout);
                if (due == null) {
                    due = new ArrayList<>();
                }
                due.add(timeout);
            }
            timeout = next;
        }
        return due;
    }

    private void link(Timeout timeout) {
        int slot = (int) (timeout.deadlineTick & MASK);
        Timeout head = slots[slot];
        timeout.next = head;
        if (head != null) {
            head.previous = timeout;
        }
        slots[slot] = timeout;
    }

    private void unlink(Timeout timeout) {
        if (timeout.previous != null) {
            timeout.previous.next = timeout.next;
        } else {
            slots[(int) (timeout.deadlineTick & MASK)] = timeout.next;
        }
        if (timeout.next != null) {
            timeout.next.previous = timeout.previous;
        }
        timeout.previous = null;
        timeout.next = null;
        timeout.wheel = null;
    }
}
