package io.lb.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** Startup validation of the health, outlier and slow-start keys: the message names the key and the value. */
class HealthConfigValidationTest {

    @Test
    void defaultsAreValid() {
        LbConfig config = config(null, null);
        assertDoesNotThrow(() -> ConfigValidator.validate(config));
        assertEquals(Duration.ofSeconds(20), config.health().interval());
        assertEquals(Duration.ofSeconds(2), config.health().downInterval());
        assertEquals(Duration.ofSeconds(2), config.health().timeout());
        assertEquals("/", config.health().path());
        assertEquals("200-399", config.health().statuses());
        assertEquals(3, config.health().fall());
        assertEquals(2, config.health().rise());
        assertEquals(0.1, config.health().jitter());
        assertEquals("http", config.health().type());
        assertEquals(Optional.empty(), config.health().grpc().service());
        assertEquals(5, config.outlier().consecutiveErrors());
        assertEquals(Duration.ofSeconds(30), config.outlier().baseEjectionTime());
        assertEquals(Duration.ofSeconds(300), config.outlier().maxEjectionTime());
        assertEquals(50, config.outlier().maxEjectionPercent());
        assertEquals(Duration.ofSeconds(10), config.slowStart().window());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "lb.health.interval|0s",
            "lb.health.interval|-5s",
            "lb.health.down-interval|0s",
            "lb.health.timeout|0ms",
            "lb.health.path|healthz",
            "lb.health.statuses|200-700",
            "lb.health.statuses|ok",
            "lb.health.fall|0",
            "lb.health.rise|-1",
            "lb.health.jitter|1.5",
            "lb.health.jitter|-0.1",
            "lb.health.type|grpcs",
            "lb.health.type|h2c",
            "lb.pools.rpc.health.type|udp",
            "lb.outlier.consecutive-errors|0",
            "lb.outlier.base-ejection-time|0s",
            "lb.outlier.max-ejection-time|10s",
            "lb.outlier.max-ejection-percent|101",
            "lb.outlier.max-ejection-percent|-1",
            "lb.slow-start.window|-1s",
            "lb.slow-start.window|25h",
    })
    void rejectsNamingKeyAndValue(String key, String value) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> ConfigValidator.validate(config(key, value)));
        assertTrue(e.getMessage().startsWith(key + ": invalid value '"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({ "http", "grpc", "tcp", "GRPC" })
    void everyProbeTypeIsAccepted(String type) {
        assertDoesNotThrow(() -> ConfigValidator.validate(config("lb.health.type", type)));
    }

    @Test
    void aPoolsProbeTypeAndGrpcServiceLayerOverTheGlobalOnes() {
        LbConfig config = LbConfigs.builder()
                .withDefaultValue("lb.health.type", "grpc")
                .withDefaultValue("lb.health.grpc.service", "pkg.Global")
                .withDefaultValue("lb.pools.own.backends", "http://127.0.0.1:9")
                .withDefaultValue("lb.pools.own.health.type", "tcp")
                .withDefaultValue("lb.pools.own.health.grpc.service", "pkg.Own")
                .withDefaultValue("lb.pools.inherits.backends", "http://127.0.0.1:9")
                .build().getConfigMapping(LbConfig.class);
        assertDoesNotThrow(() -> ConfigValidator.validate(config));
        PoolSettings own = PoolSettings.resolveAll(config).get("own");
        PoolSettings inherits = PoolSettings.resolveAll(config).get("inherits");
        assertEquals("tcp", own.health().type());
        assertEquals("pkg.Own", own.health().grpcService());
        assertEquals("grpc", inherits.health().type());
        assertEquals("pkg.Global", inherits.health().grpcService());
    }

    @Test
    void slowStartCanBeDisabled() {
        assertDoesNotThrow(() -> ConfigValidator.validate(config("lb.slow-start.window", "0s")));
    }

    private static LbConfig config(String key, String value) {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder()
                .withConverter(Duration.class, 200, new DurationConverter())
                .withConverter(MemorySize.class, 200, new MemorySizeConverter())
                .withMapping(LbConfig.class)
                .withDefaultValue("lb.backends", "http://127.0.0.1:9");
        if (key != null) {
            builder.withDefaultValue(key, value);
            if (key.startsWith("lb.pools.rpc.")) {
                builder.withDefaultValue("lb.pools.rpc.backends", "http://127.0.0.1:9");
            }
        }
        SmallRyeConfig config = builder.build();
        return config.getConfigMapping(LbConfig.class);
    }
}
