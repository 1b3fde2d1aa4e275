package io.lb.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.lb.config.BackendSpec;
import io.lb.config.LbConfigs;
import io.lb.config.PoolSettings;

/**
 * Panic: with the default threshold (50 %), a pool of three in which one backend is ejected and another DOWN has
 * one of three backends accepting traffic, so ejection is ignored until a second one accepts traffic again.
 */
class BackendPoolPanicTest {

    private static final long LONG = 60_000_000_000L;

    private final BackendPool pool = new BackendPool(LbConfigs.defaultPool(), event -> {
    });
    private final Backend a = pool.add(new BackendSpec("http", "127.0.0.1", 9001, 1));
    private final Backend b = pool.add(new BackendSpec("http", "127.0.0.1", 9002, 1));
    private final Backend c = pool.add(new BackendSpec("http", "127.0.0.1", 9003, 1));

    @Test
    void oneEjectedBackendOfThreeIsNoPanicAndGetsNothing() {
        a.eject(System.nanoTime() + LONG);
        assertFalse(pool.panic());
        assertEquals(Set.of(b, c), chosenOver(200));
    }

    @Test
    void ejectedAndDownLeaveOneOfThreeSoTheEjectedOneServesAgain() {
        a.eject(System.nanoTime() + LONG);
        b.transitionTo(BackendState.DOWN);
        assertTrue(pool.panic());
        assertEquals(1, pool.panics());
        assertEquals(Set.of(a, c), chosenOver(200), "the DOWN backend stays out even in panic");

        b.transitionTo(BackendState.UP);
        assertFalse(pool.panic(), "two of three accept traffic again");
        assertEquals(Set.of(b, c), chosenOver(200), "out of panic the ejection holds again");
    }

    @Test
    void theEjectionEndingAlsoEndsThePanic() {
        long until = System.nanoTime() + LONG;
        a.eject(until);
        b.transitionTo(BackendState.DOWN);
        assertTrue(pool.panic());
        a.endEjection(until);
        assertFalse(pool.panic());
    }

    @Test
    void everyBackendDownIsPanicWithNothingToChoose() {
        a.transitionTo(BackendState.DOWN);
        b.transitionTo(BackendState.DOWN);
        c.transitionTo(BackendState.DOWN);
        assertTrue(pool.panic());
        assertNull(pool.choose(x -> false), "DOWN backends are never chosen: the exchange gets its 503 at once");
        assertEquals(1, pool.panics(), "entered once, however many more went DOWN");
    }

    @Test
    void aDownBackendWhoseLatestProbePassedIsTriedInPanic() {
        a.transitionTo(BackendState.DOWN);
        b.transitionTo(BackendState.DOWN);
        c.transitionTo(BackendState.DOWN);
        b.rising(true);
        assertEquals(Set.of(b), chosenOver(50), "rising: one more good probe and it is UP");
        b.rising(false);
        assertNull(pool.choose(x -> false), "its next probe failed");

        b.rising(true);
        b.transitionTo(BackendState.UP);
        b.transitionTo(BackendState.DOWN);
        assertFalse(b.rising(), "going DOWN again forgets the passing probe");
    }

    @Test
    void risingBackendsAreNotTriedOutOfPanic() {
        a.transitionTo(BackendState.DOWN);
        a.rising(true);
        assertFalse(pool.panic());
        assertEquals(Set.of(b, c), chosenOver(200));
    }

    @Test
    void drainingBackendsAreNotCountedAndNeverChosen() {
        a.draining(true);
        b.eject(System.nanoTime() + LONG);
        assertFalse(pool.panic(), "of the two backends not draining one accepts traffic: 50 %, not below it");
        c.transitionTo(BackendState.DOWN);
        assertTrue(pool.panic());
        assertEquals(Set.of(b), chosenOver(200), "the draining backend is not chosen in panic either");
    }

    @Test
    void aRemovedBackendIsNoLongerCounted() {
        a.eject(System.nanoTime() + LONG);
        b.transitionTo(BackendState.DOWN);
        assertTrue(pool.panic());
        pool.remove(b.id());
        assertFalse(pool.panic(), "one of the two left accepts traffic: 50 %, not below the threshold");
    }

    @Test
    void thresholdZeroDisablesPanic() {
        BackendPool noPanic = new BackendPool(LbConfigs.defaultPool("lb.outlier.panic-threshold", "0"), event -> {
        });
        Backend x = noPanic.add(new BackendSpec("http", "127.0.0.1", 9001, 1));
        Backend y = noPanic.add(new BackendSpec("http", "127.0.0.1", 9002, 1));
        x.eject(System.nanoTime() + LONG);
        y.transitionTo(BackendState.DOWN);
        assertFalse(noPanic.panic());
        assertNull(noPanic.choose(z -> false));
    }

    @Test
    void thePanicThresholdIsThePools() {
        PoolSettings settings = LbConfigs.defaultPool("lb.outlier.panic-threshold", "100");
        BackendPool strict = new BackendPool(settings, event -> {
        });
        Backend x = strict.add(new BackendSpec("http", "127.0.0.1", 9001, 1));
        strict.add(new BackendSpec("http", "127.0.0.1", 9002, 1));
        assertFalse(strict.panic());
        x.eject(System.nanoTime() + LONG);
        assertTrue(strict.panic(), "100 %: any backend not accepting traffic is a panic");
        assertSame(x, chosenFrom(strict, x));
    }

    private Set<Backend> chosenOver(int picks) {
        Set<Backend> chosen = new HashSet<>();
        for (int i = 0; i < picks; i++) {
            chosen.add(pool.choose(x -> false));
        }
        return chosen;
    }

    /** Picks until {@code wanted} comes up (at random among ties), or null after many tries. */
    private static Backend chosenFrom(BackendPool pool, Backend wanted) {
        for (int i = 0; i < 1000; i++) {
            if (pool.choose(x -> false) == wanted) {
                return wanted;
            }
        }
        return null;
    }
}
