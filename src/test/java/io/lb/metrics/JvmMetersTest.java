package io.lb.metrics;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.lb.testing.Metrics;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The JVM's meters are scraped as Quarkus' JVM binder would show them (memory, threads, classes), with garbage
 * collection read from the collectors: a collection shows in the counters at the next scrape, and Micrometer's
 * per-collection meters, which need a JMX notification listener, are not there.
 */
@QuarkusTest
class JvmMetersTest {

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @Test
    void memoryThreadsAndClassesAreScraped() {
        String scrape = Metrics.scrape(management);

        for (String series : List.of("jvm_memory_used_bytes{area=\"heap\"", "jvm_threads_live_threads ",
                "jvm_classes_loaded_classes ", "jvm_info{", "jvm_gc_max_data_size_bytes ",
                "jvm_gc_live_data_size_bytes ")) {
            assertTrue(scrape.contains(series), () -> series + " missing from\n" + scrape);
        }
    }

    @Test
    void aCollectionShowsAtTheNextScrape() {
        double before = Metrics.value(management, "jvm_gc_collections_total"); // every collector's, summed

        System.gc();

        double after = Metrics.value(management, "jvm_gc_collections_total");
        assertTrue(after > before, "collections before " + before + ", after " + after);
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            assertTrue(Metrics.scrape(management).contains("jvm_gc_collection_seconds_total{gc=\"" + collector.getName()),
                    collector.getName());
        }
    }

    @Test
    void noMeterNeedsANotificationPerCollection() {
        String scrape = Metrics.scrape(management);

        for (String series : List.of("jvm_gc_pause_seconds", "jvm_gc_memory_allocated_bytes_total", "jvm_gc_overhead")) {
            assertFalse(scrape.contains(series), () -> series + " in\n" + scrape);
        }
    }

    @Test
    void theOldGenerationIsFoundForTheRunningCollector() {
        assertNotNull(JvmMeters.oldGeneration(ManagementFactory.getMemoryPoolMXBeans()),
                () -> "no old generation among " + ManagementFactory.getMemoryPoolMXBeans().stream()
                        .map(pool -> pool.getName()).toList());
    }
}
