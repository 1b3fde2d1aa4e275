package io.lb.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** The wheel on a real Vert.x event loop: what is due fires (not early, not much late), what is cancelled never. */
class TimerWheelTest {

    private Vertx vertx;
    private Context eventLoop;

    @BeforeEach
    void startVertx() {
        vertx = Vertx.vertx();
        eventLoop = vertx.getOrCreateContext();
    }

    @AfterEach
    void stopVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void firesEachTimeoutAfterItsDelayInDeadlineOrder() throws Exception {
        long[] delays = { 120, 15, 60, 15, 0, 300 };
        List<Long> firedDelays = new ArrayList<>();
        long[] firedAfterMillis = new long[delays.length];
        CountDownLatch fired = new CountDownLatch(delays.length);
        long start = System.nanoTime();
        onEventLoop(() -> {
            TimerWheel wheel = TimerWheel.ofCurrentEventLoop(vertx);
            for (int i = 0; i < delays.length; i++) {
                int index = i;
                wheel.schedule(delays[i], () -> {
                    firedAfterMillis[index] = (System.nanoTime() - start) / 1_000_000;
                    firedDelays.add(delays[index]);
                    fired.countDown();
                });
            }
            return null;
        });
        assertTrue(fired.await(5, TimeUnit.SECONDS));
        for (int i = 0; i < delays.length; i++) {
            assertTrue(firedAfterMillis[i] >= delays[i], "fired early: " + delays[i] + " ms after " + firedAfterMillis[i]);
            assertTrue(firedAfterMillis[i] <= delays[i] + 200, "fired late: " + delays[i] + " ms after " + firedAfterMillis[i]);
        }
        List<Long> sorted = new ArrayList<>(firedDelays);
        sorted.sort(null);
        assertEquals(sorted, firedDelays);
        assertEquals(0, onEventLoop(() -> TimerWheel.ofCurrentEventLoop(vertx).pending()));
    }

    @Test
    void aCancelledTimeoutNeverFires() throws Exception {
        CountDownLatch kept = new CountDownLatch(1);
        boolean[] cancelledFired = { false };
        onEventLoop(() -> {
            TimerWheel wheel = TimerWheel.ofCurrentEventLoop(vertx);
            Timeout cancelled = wheel.schedule(20, () -> cancelledFired[0] = true);
            wheel.schedule(60, kept::countDown);
            cancelled.cancel();
            cancelled.cancel(); // idempotent
            assertFalse(cancelled.isPending());
            return null;
        });
        assertTrue(kept.await(5, TimeUnit.SECONDS));
        assertFalse(cancelledFired[0]);
    }

    @Test
    void delaysLongerThanOneTurnWaitForTheirTurn() throws Exception {
        // 256 slots of 10 ms: 2 600 ms lands in the same slot as 40 ms, one turn later
        long[] firedAfter = new long[2];
        CountDownLatch fired = new CountDownLatch(2);
        long start = System.nanoTime();
        onEventLoop(() -> {
            TimerWheel wheel = TimerWheel.ofCurrentEventLoop(vertx);
            wheel.schedule(2_600, () -> {
                firedAfter[1] = (System.nanoTime() - start) / 1_000_000;
                fired.countDown();
            });
            wheel.schedule(40, () -> {
                firedAfter[0] = (System.nanoTime() - start) / 1_000_000;
                fired.countDown();
            });
            return null;
        });
        assertTrue(fired.await(10, TimeUnit.SECONDS));
        assertTrue(firedAfter[0] < 1_000, "short one: " + firedAfter[0]);
        assertTrue(firedAfter[1] >= 2_600, "long one fired after " + firedAfter[1] + " ms");
    }

    @Test
    void aTimeoutCancelledByAnotherDueInTheSameTickDoesNotRun() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        int[] runs = { 0 };
        onEventLoop(() -> {
            TimerWheel wheel = TimerWheel.ofCurrentEventLoop(vertx);
            Timeout[] pair = new Timeout[2];
            pair[0] = wheel.schedule(30, () -> {
                runs[0]++;
                pair[1].cancel();
            });
            pair[1] = wheel.schedule(30, () -> {
                runs[0]++;
                pair[0].cancel();
            });
            wheel.schedule(100, done::countDown);
            return null;
        });
        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertEquals(1, runs[0], "both were due in the same tick; whichever ran first cancelled the other");
    }

    @Test
    void stopsTickingWhenNothingIsPendingAndStartsAgain() throws Exception {
        CountDownLatch first = new CountDownLatch(1);
        onEventLoop(() -> TimerWheel.ofCurrentEventLoop(vertx).schedule(10, first::countDown));
        assertTrue(first.await(5, TimeUnit.SECONDS));
        Thread.sleep(100);
        assertFalse(onEventLoop(() -> TimerWheel.ofCurrentEventLoop(vertx).ticking()), "idle wheel still ticking");
        CountDownLatch second = new CountDownLatch(1);
        onEventLoop(() -> TimerWheel.ofCurrentEventLoop(vertx).schedule(10, second::countDown));
        assertTrue(onEventLoop(() -> TimerWheel.ofCurrentEventLoop(vertx).ticking()));
        assertTrue(second.await(5, TimeUnit.SECONDS));
    }

    private <T> T onEventLoop(Supplier<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        eventLoop.runOnContext(ignored -> {
            try {
                result.complete(task.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result.get(5, TimeUnit.SECONDS);
    }
}
