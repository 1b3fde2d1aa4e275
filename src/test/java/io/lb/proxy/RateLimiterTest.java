package io.lb.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.lb.config.InvalidConfigException;
import io.lb.config.LbConfig;
import io.lb.config.LbConfigs;

/** The token bucket by itself, on a clock the test moves. */
class RateLimiterTest {

    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(42 * SECOND);

    private RateLimiter limiter(double perSecond, int burst) {
        return new RateLimiter("lb.routes.r.rate-limit.", perSecond, burst, null,
                new ForwardedHeaders(TrustedProxies.parse(List.of())), now::get);
    }

    @Test
    void aBurstPassesThenTheRateAndEachClientHasItsOwnBucket() {
        RateLimiter limiter = limiter(2, 3);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, limiter.acquire("10.0.0.1"), "request " + (i + 1) + " of the burst");
        }
        assertEquals(1, limiter.acquire("10.0.0.1"), "empty: retry after a second (half a second, rounded up)");
        assertEquals(0, limiter.acquire("10.0.0.2"), "another client is not affected");
        now.addAndGet(SECOND / 2);
        assertEquals(0, limiter.acquire("10.0.0.1"), "half a second at 2/s is one token");
        assertEquals(1, limiter.acquire("10.0.0.1"));
    }

    @Test
    void retryAfterSaysWhenATokenWillBeThere() {
        RateLimiter limiter = limiter(0.1, 1);
        assertEquals(0, limiter.acquire("c"));
        assertEquals(10, limiter.acquire("c"), "one token every 10 s");
        now.addAndGet(4 * SECOND);
        assertEquals(6, limiter.acquire("c"));
    }

    @Test
    void idleBucketsAreDroppedSoThatManyClientsCostNoMemoryForLong() {
        RateLimiter limiter = limiter(10, 5);
        for (int i = 0; i < 1_000; i++) {
            limiter.acquire("client-" + i);
        }
        assertEquals(1_000, limiter.clients());
        limiter.evictIdle();
        assertEquals(1_000, limiter.clients(), "not yet full again: kept");
        now.addAndGet(SECOND);
        limiter.evictIdle();
        assertEquals(0, limiter.clients(), "refilled: the same as no bucket, dropped");
    }

    @Test
    void badSettingsFailNamingTheKey() {
        assertTrue(failure(Map.of("lb.routes.r.rate-limit.requests-per-second", "0"))
                .startsWith("lb.routes.r.rate-limit.requests-per-second: invalid value '0.0'"));
        assertTrue(failure(Map.of("lb.routes.r.rate-limit.requests-per-second", "5",
                "lb.routes.r.rate-limit.burst", "0")).startsWith("lb.routes.r.rate-limit.burst: invalid value '0'"));
        assertTrue(failure(Map.of("lb.routes.r.rate-limit.burst", "5"))
                .startsWith("lb.routes.r.rate-limit.burst: invalid value '5': needs"));
        assertTrue(failure(Map.of("lb.routes.r.rate-limit.requests-per-second", "5",
                "lb.routes.r.rate-limit.key", "cookie")).startsWith("lb.routes.r.rate-limit.key: invalid value 'cookie'"));
    }

    private static String failure(Map<String, String> values) {
        java.util.Map<String, String> all = new java.util.HashMap<>(values);
        all.put("lb.backends", "http://127.0.0.1:9");
        all.put("lb.routes.r.pool", "default");
        LbConfig config = LbConfigs.builder().withDefaultValues(all).build().getConfigMapping(LbConfig.class);
        return assertThrows(InvalidConfigException.class, () -> RateLimiter.of("lb.routes.r.rate-limit.",
                config.routes().get("r").rateLimit(), new ForwardedHeaders(TrustedProxies.parse(List.of()))))
                .getMessage();
    }
}
