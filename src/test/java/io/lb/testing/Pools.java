package io.lb.testing;

import java.time.Duration;

import org.awaitility.Awaitility;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.config.BackendSpecParser;

/** Puts a test's own backends in the balancer's pool, and checks that every count returned to zero. */
public final class Pools {

    private Pools() {
    }

    public static void use(BackendPool pool, TestBackend... backends) {
        for (Backend existing : pool.all()) {
            pool.remove(existing.id());
        }
        for (TestBackend backend : backends) {
            pool.add(BackendSpecParser.parse(backend.url()));
        }
    }

    /** Like {@link #use(BackendPool, TestBackend...)}, for backends that are not {@link TestBackend}s. */
    public static void useUrls(BackendPool pool, String... urls) {
        for (Backend existing : pool.all()) {
            pool.remove(existing.id());
        }
        for (String url : urls) {
            pool.add(BackendSpecParser.parse(url));
        }
    }

    public static void useWeighted(BackendPool pool, TestBackend backend, int weight) {
        pool.add(BackendSpecParser.parse(backend.url() + ";weight=" + weight));
    }

    public static Backend backendOf(BackendPool pool, TestBackend backend) {
        return pool.find(backend.url()).orElseThrow();
    }

    /** Every exchange that started has ended: each active count is back to exactly zero. */
    public static void awaitAllIdle(BackendPool pool) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (Backend backend : pool.all()) {
                if (backend.activeConnections() != 0) {
                    throw new AssertionError(backend.id() + " still has " + backend.activeConnections()
                            + " active connections");
                }
            }
        });
    }
}
