package io.lb.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.lb.config.BackendSpec;
import io.lb.config.LbConfigs;

class BackendPoolRetireTest {

    private static final BackendSpec A = new BackendSpec("http", "127.0.0.1", 9001, 1);
    private static final BackendSpec B = new BackendSpec("http", "127.0.0.1", 9002, 1);

    @Test
    void idleBackendLeavesAtOnce() {
        BackendPool pool = new BackendPool(LbConfigs.defaultPool(), event -> {
        });
        pool.add(A);
        pool.add(B);
        pool.retire(A.url());
        assertEquals(List.of(B.url()), pool.all().stream().map(Backend::id).toList());
    }

    @Test
    void busyBackendDrainsThenLeavesWhenItsLastExchangeEnds() {
        BackendPool pool = new BackendPool(LbConfigs.defaultPool(), event -> {
        });
        Backend a = pool.add(A);
        pool.add(B);
        Lease first = a.lease();
        Lease second = a.lease();

        pool.retire(A.url());
        assertTrue(a.draining());
        assertFalse(a.acceptsTraffic());
        assertSame(a, pool.find(A.url()).orElseThrow(), "still visible while exchanges are in flight");
        for (int i = 0; i < 20; i++) {
            assertEquals(B.url(), pool.choose(b -> false).id(), "no new exchange goes to a draining backend");
        }

        first.release();
        assertTrue(pool.find(A.url()).isPresent());
        second.release();
        assertTrue(pool.find(A.url()).isEmpty());
    }

    @Test
    void addingAgainCancelsTheRetirement() {
        BackendPool pool = new BackendPool(LbConfigs.defaultPool(), event -> {
        });
        Backend a = pool.add(A);
        Lease lease = a.lease();
        pool.retire(A.url());
        assertSame(a, pool.add(A));
        assertFalse(a.draining());
        lease.release();
        assertSame(a, pool.find(A.url()).orElseThrow(), "a reinstated backend stays");
    }

    @Test
    void cancellingARetirementKeepsAnOperatorsDrain() {
        BackendPool pool = new BackendPool(LbConfigs.defaultPool(), event -> {
        });
        Backend a = pool.add(A);
        Lease lease = a.lease();
        a.draining(true); // drained through the admin API
        pool.retire(A.url()); // then discovery saw its endpoint go unready...
        assertSame(a, pool.add(A)); // ...and ready again
        assertTrue(a.draining(), "the operator's drain outlives the discovery round trip");
        lease.release();
        assertSame(a, pool.find(A.url()).orElseThrow(), "drained, not retired: it stays in the pool");
    }

    @Test
    void lateReleaseOfAnOldBackendDoesNotRemoveItsSuccessor() {
        BackendPool pool = new BackendPool(LbConfigs.defaultPool(), event -> {
        });
        Backend old = pool.add(A);
        pool.retire(A.url());
        Backend successor = pool.add(A);
        assertNotSame(old, successor);
        // an exchange that chose the old backend just before it was retired
        old.lease().release();
        assertSame(successor, pool.find(A.url()).orElseThrow());
    }

    @Test
    void retiringAnUnknownBackendIsANoOp() {
        BackendPool pool = new BackendPool(LbConfigs.defaultPool(), event -> {
        });
        assertTrue(pool.retire("http://nowhere:1").isEmpty());
    }

    @Test
    void concurrentReleasesRemoveExactlyWhenIdle() throws Exception {
        for (int round = 0; round < 50; round++) {
            BackendPool pool = new BackendPool(LbConfigs.defaultPool(), event -> {
        });
            Backend a = pool.add(A);
            List<Lease> leases = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                leases.add(a.lease());
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (Lease lease : leases) {
                Thread thread = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    lease.release();
                });
                thread.start();
                threads.add(thread);
            }
            start.countDown();
            pool.retire(A.url());
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            }
            assertEquals(0, a.activeConnections());
            assertNull(pool.find(A.url()).orElse(null), "round " + round);
        }
    }
}
