package io.lb.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.lb.config.BackendSpecParser;
import io.lb.config.InvalidConfigException;
import io.lb.config.LbConfigs;

class PeakEwmaTest {

    static final double TAU = TimeUnit.SECONDS.toNanos(10);

    @Test
    void aSlowerSampleIsTakenAtOnceAFasterOneGradually() {
        LatencyEstimate estimate = new LatencyEstimate();
        long now = System.nanoTime();
        estimate.observe(ms(10), now, TAU);
        assertEquals(ms(10), estimate.costNanos(), 1);
        estimate.observe(ms(200), now + ms(1), TAU);
        assertEquals(ms(200), estimate.costNanos(), 1, "the peak is taken at once");
        estimate.observe(ms(10), now + ms(2), TAU);
        assertTrue(estimate.costNanos() > ms(190), "one fast answer right after does not erase it");
        estimate.observe(ms(10), now + TimeUnit.SECONDS.toNanos(60), TAU);
        assertTrue(estimate.costNanos() < ms(11), "after several time constants the estimate has come down");
    }

    @Test
    void theFasterBackendGetsTheRequestsAtEqualLoad() {
        BackendPool pool = new BackendPool(LbConfigs.defaultPool(), event -> {
        });
        Backend fast = pool.add(BackendSpecParser.parse("http://fast:80"));
        Backend slow = pool.add(BackendSpecParser.parse("http://slow:80"));
        long now = System.nanoTime();
        fast.latency().observe(ms(5), now, TAU);
        slow.latency().observe(ms(50), now, TAU);
        PeakEwma strategy = new PeakEwma(0, TAU);
        Map<Backend, Integer> chosen = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            chosen.merge(strategy.choose(pool.snapshot(), Eligibility.NORMAL, b -> false), 1, Integer::sum);
        }
        assertEquals(100, chosen.get(fast));
    }

    @Test
    void loadCountsAgainstLatency() {
        BackendPool pool = new BackendPool(LbConfigs.defaultPool(), event -> {
        });
        Backend fast = pool.add(BackendSpecParser.parse("http://fast:80"));
        Backend slow = pool.add(BackendSpecParser.parse("http://slow:80"));
        long now = System.nanoTime();
        fast.latency().observe(ms(5), now, TAU);
        slow.latency().observe(ms(20), now, TAU);
        for (int i = 0; i < 4; i++) {
            fast.lease(); // 5 ms × 5 = 25 > 20 ms × 1
        }
        assertEquals(slow, new PeakEwma(0, TAU).choose(pool.snapshot(), Eligibility.NORMAL, b -> false));
    }

    @Test
    void aBackendThatWasSlowOnceIsTriedAgainLater() {
        LatencyEstimate estimate = new LatencyEstimate();
        long now = System.nanoTime();
        estimate.observe(ms(500), now, TAU);
        assertTrue(estimate.costNanos(now + TimeUnit.SECONDS.toNanos(30), TAU) < ms(30),
                "without samples the estimate decays, so the backend gets a request and a new sample");
    }

    @Test
    void unknownStrategyNamesAreRejected() {
        Strategies.Options options = new Strategies.Options(0, TAU);
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> Strategies.create("lb.strategy", "round-robin", options));
        assertEquals("lb.strategy: invalid value 'round-robin': unknown strategy (use least-connections or peak-ewma)",
                e.getMessage());
        assertTrue(Strategies.create("lb.strategy", "Peak-EWMA", options) instanceof PeakEwma);
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
