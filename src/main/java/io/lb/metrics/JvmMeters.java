package io.lb.metrics;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;

/**
 * The JVM's meters, with garbage collection read from the collectors when scraped. Micrometer's GC binders (which
 * Quarkus' JVM binder, off in application.properties, registers) subscribe to a JMX notification per collection:
 * the JDK then builds a {@code GcInfo} with every memory pool's usage on its notification thread right after each
 * young collection, about half a millisecond on the event loop's core added to every pause (`perf sched` in
 * docs/benchmarks.md). Here: collections and their time per collector, and the old generation after the last
 * collection that covered it, as counters and gauges polled at scrape. With {@code quarkus.micrometer.binder.jvm=true}
 * Quarkus' binder registers Micrometer's meters instead, per-collection pause timers included, and this one none.
 */
@Singleton
public class JvmMeters implements MeterBinder {

    private final boolean quarkusBinderOn;

    public JvmMeters(
            @ConfigProperty(name = "quarkus.micrometer.binder.jvm", defaultValue = "true") boolean quarkusBinderOn) {
        this.quarkusBinderOn = quarkusBinderOn;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        if (quarkusBinderOn) {
            return;
        }
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        bindCollectors(registry);
        bindOldGeneration(registry);
    }

    private static void bindCollectors(MeterRegistry registry) {
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            FunctionCounter.builder("jvm.gc.collections", collector, GarbageCollectorMXBean::getCollectionCount)
                    .tag("gc", collector.getName())
                    .description("Collections by this collector since the start")
                    .register(registry);
            FunctionCounter.builder("jvm.gc.collection.seconds", collector, c -> c.getCollectionTime() / 1000.0)
                    .tag("gc", collector.getName())
                    .description("Time in this collector's collections since the start (pauses, for Serial and Parallel)")
                    .register(registry);
        }
    }

    private static void bindOldGeneration(MeterRegistry registry) {
        MemoryPoolMXBean old = oldGeneration(ManagementFactory.getMemoryPoolMXBeans());
        if (old == null) {
            return;
        }
        Gauge.builder("jvm.gc.live.data.size", old, pool -> used(pool.getCollectionUsage()))
                .baseUnit("bytes")
                .description("The old generation's size after the last collection that covered it")
                .register(registry);
        Gauge.builder("jvm.gc.max.data.size", old, pool -> pool.getUsage().getMax())
                .baseUnit("bytes")
                .description("The old generation's largest size")
                .register(registry);
    }

    /** The heap's old generation, by the names HotSpot's collectors give it; null for a single-pool heap. */
    static MemoryPoolMXBean oldGeneration(List<MemoryPoolMXBean> pools) {
        for (MemoryPoolMXBean pool : pools) {
            if (pool.getType() == MemoryType.HEAP && isOldGeneration(pool.getName())) {
                return pool;
            }
        }
        return null;
    }

    private static boolean isOldGeneration(String name) {
        return name.endsWith("Old Gen") || name.equals("Tenured Gen") || name.equals("ZGC Old Generation");
    }

    private static double used(MemoryUsage usage) {
        return usage == null ? Double.NaN : usage.getUsed();
    }
}
