package io.lb.balancer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.lb.config.BackendSpecParser;

/** The slow-start arithmetic and its effect on selection, with the clock passed in: no waiting, no chance. */
class SlowStartWeightTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long WINDOW = 10 * SECOND;

    @Test
    void effectiveWeightRampsFromTenPercentToFullOverTheWindow() {
        long upSince = 1_000 * SECOND;
        assertEquals(100, LeastConnections.effectiveWeight(1, upSince, upSince, WINDOW), "at once: the floor");
        assertEquals(100, LeastConnections.effectiveWeight(1, upSince, upSince + SECOND / 2, WINDOW),
                "5 % of the window is below the 10 % floor");
        assertEquals(250, LeastConnections.effectiveWeight(1, upSince, upSince + 5 * SECOND / 2, WINDOW));
        assertEquals(500 * 3, LeastConnections.effectiveWeight(3, upSince, upSince + 5 * SECOND, WINDOW));
        assertEquals(1_000, LeastConnections.effectiveWeight(1, upSince, upSince + WINDOW, WINDOW));
        assertEquals(7_000, LeastConnections.effectiveWeight(7, upSince, upSince + 100 * SECOND, WINDOW));
    }

    @Test
    void windowZeroDisablesSlowStart() {
        assertEquals(2_000, LeastConnections.effectiveWeight(2, 5, 5, 0));
    }

    @Test
    void clockBeforeUpSinceCountsAsJustUp() {
        assertEquals(100, LeastConnections.effectiveWeight(1, 10 * SECOND, 9 * SECOND, WINDOW));
    }

    @Test
    void largestWeightAndWindowDoNotOverflow() {
        long day = TimeUnit.DAYS.toNanos(1);
        assertEquals(500_000, LeastConnections.effectiveWeight(1_000, 0, day / 2, day));
    }

    @Test
    void aRecoveredBackendTakesNewRequestsOnlyOnceTheOthersAreTenTimesBusier() {
        long window = TimeUnit.MILLISECONDS.toNanos(5);
        Backend steady = backend("http://127.0.0.1:1001");
        Backend recovered = backend("http://127.0.0.1:1002");
        LeastConnections balancer = new LeastConnections(window);
        // let `steady` get past its own (tiny) window, then bring `recovered` back and look at that instant
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
                .until(() -> System.nanoTime() - steady.upSinceNanos() > window);
        recovered.transitionTo(BackendState.DOWN);
        recovered.transitionTo(BackendState.UP);
        long now = recovered.upSinceNanos();
        assertEquals(1_000, LeastConnections.effectiveWeight(1, steady.upSinceNanos(), now, window));
        assertEquals(100, LeastConnections.effectiveWeight(1, recovered.upSinceNanos(), now, window));

        List<Lease> leases = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            // (k+1)/1000 < 1/100 for k < 9 in flight: every new request goes to the steady backend
            Backend chosen = balancer.choose(new Backend[] { steady, recovered }, Eligibility.NORMAL, b -> false, now);
            assertSame(steady, chosen, "request " + (i + 1));
            leases.add(chosen.lease());
        }
        leases.add(steady.lease());
        // 11/1000 > 1/100: now the recovered backend is the less loaded one per unit of effective weight
        assertSame(recovered, balancer.choose(new Backend[] { steady, recovered }, Eligibility.NORMAL, b -> false, now));
        // and once its window is over it is a full member again: idle, it takes the next request
        assertSame(recovered, balancer.choose(new Backend[] { steady, recovered }, Eligibility.NORMAL, b -> false, now + window));
        leases.forEach(Lease::release);
    }

    @Test
    void withoutSlowStartTheIdleRecoveredBackendTakesTheNextRequest() {
        Backend steady = backend("http://127.0.0.1:1001");
        Backend recovered = backend("http://127.0.0.1:1002");
        LeastConnections balancer = new LeastConnections(0);
        Lease busy = steady.lease();
        recovered.transitionTo(BackendState.DOWN);
        recovered.transitionTo(BackendState.UP);
        assertSame(recovered, balancer.choose(new Backend[] { steady, recovered }, Eligibility.NORMAL, b -> false, recovered.upSinceNanos()));
        busy.release();
    }

    private static Backend backend(String url) {
        return new Backend(BackendSpecParser.parse(url));
    }
}
