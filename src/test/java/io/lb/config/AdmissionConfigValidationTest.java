package io.lb.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.smallrye.config.SmallRyeConfigBuilder;

/** Startup validation of the admission-control keys: defaults, and the message naming the key and the value. */
class AdmissionConfigValidationTest {

    @Test
    void defaults() {
        LbConfig config = config(null, null);
        assertDoesNotThrow(() -> ConfigValidator.validate(config));
        assertEquals(Duration.ofSeconds(10), config.timeout().requestHeader());
        assertEquals(Duration.ofSeconds(30), config.timeout().requestBodyIdle());
        assertEquals(1024, config.client().maxPendingPerBackend());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "lb.timeout.request-header|0s",
            "lb.timeout.request-header|-1s",
            "lb.timeout.request-body-idle|0ms",
            "lb.timeout.request-body-idle|-30s",
            "lb.client.max-pending-per-backend|0",
            "lb.client.max-pending-per-backend|-5",
    })
    void rejectsNamingKeyAndValue(String key, String value) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> ConfigValidator.validate(config(key, value)));
        assertTrue(e.getMessage().startsWith(key + ": invalid value '"), e.getMessage());
    }

    private static LbConfig config(String key, String value) {
        SmallRyeConfigBuilder builder = LbConfigs.builder().withDefaultValue("lb.backends", "http://127.0.0.1:9");
        if (key != null) {
            builder.withDefaultValue(key, value);
        }
        return builder.build().getConfigMapping(LbConfig.class);
    }
}
