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

    /** A SmallRye config with the {@code lb} mapping and the converters Quarkus would register. */
    public static SmallRyeConfigBuilder builder() {
        return new SmallRyeConfigBuilder()
                .withConverter(Duration.class, 100, new DurationConverter())
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                .withMapping(LbConfig.class);
    }
}
