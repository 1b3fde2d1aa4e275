package io.lb.config;

import java.time.Duration;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.SmallRyeConfigBuilder;

/** Builds {@link LbConfig} outside Quarkus, for plain unit tests. */
public final class LbConfigs {

    private LbConfigs() {
    }

    /** The default pool's settings from the defaults alone, for tests that build pools without Quarkus. */
    public static PoolSettings defaultPool() {
        return PoolSettings.global(builder().withDefaultValue("lb.backends", "http://127.0.0.1:9").build()
                .getConfigMapping(LbConfig.class));
    }

    /** The default pool's settings from the defaults, but for {@code key} set to {@code value}. */
    public static PoolSettings defaultPool(String key, String value) {
        return PoolSettings.global(builder().withDefaultValue("lb.backends", "http://127.0.0.1:9")
                .withDefaultValue(key, value).build().getConfigMapping(LbConfig.class));
    }

    /** A SmallRye config with the {@code lb} mapping and the converters Quarkus would register. */
    public static SmallRyeConfigBuilder builder() {
        return new SmallRyeConfigBuilder()
                .withConverter(Duration.class, 100, new DurationConverter())
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                .withMapping(LbConfig.class);
    }
}
