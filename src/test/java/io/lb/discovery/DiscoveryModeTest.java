package io.lb.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.lb.config.InvalidConfigException;
import io.lb.config.LbConfig;
import io.lb.config.LbConfigs;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;

/** {@code lb.discovery} is a value and a prefix at once; these tests pin how it is read and checked. */
class DiscoveryModeTest {

    private static LbConfig properties(Map<String, String> values) {
        SmallRyeConfig config = LbConfigs.builder()
                .withSources(new PropertiesConfigSource(values, "test", 100))
                .build();
        return config.getConfigMapping(LbConfig.class);
    }

    private static LbConfig environment(Map<String, String> values) {
        SmallRyeConfig config = LbConfigs.builder()
                .withSources(new EnvConfigSource(values, 300))
                .build();
        return config.getConfigMapping(LbConfig.class);
    }

    @Test
    void staticIsTheDefault() {
        assertEquals(DiscoveryMode.STATIC, DiscoveryMode.of(properties(Map.of()).discovery()));
    }

    @Test
    void modeIsReadFromLbDiscoveryItselfNextToItsSubKeys() {
        LbConfig config = properties(Map.of(
                "lb.discovery", "kubernetes",
                "lb.discovery.kubernetes.service", "web",
                "lb.discovery.kubernetes.namespace", "shop",
                "lb.discovery.kubernetes.port-name", "http"));
        assertEquals(DiscoveryMode.KUBERNETES, DiscoveryMode.of(config.discovery()));
        assertEquals("web", config.discovery().kubernetes().service().orElseThrow());
        assertEquals("shop", config.discovery().kubernetes().namespace().orElseThrow());
        assertEquals("http", config.discovery().kubernetes().portName().orElseThrow());
    }

    @Test
    void environmentVariablesAsWrittenInTheConfigMap() {
        LbConfig config = environment(Map.of(
                "LB_DISCOVERY", "kubernetes",
                "LB_DISCOVERY_KUBERNETES_SERVICE", "web",
                "LB_DISCOVERY_KUBERNETES_PORT_NAME", "http"));
        assertEquals(DiscoveryMode.KUBERNETES, DiscoveryMode.of(config.discovery()));
        assertEquals("web", config.discovery().kubernetes().service().orElseThrow());
        assertEquals("http", config.discovery().kubernetes().portName().orElseThrow());
    }

    @Test
    void modeIsCaseInsensitive() {
        LbConfig config = properties(Map.of("lb.discovery", " Static "));
        assertEquals(DiscoveryMode.STATIC, DiscoveryMode.of(config.discovery()));
    }

    @Test
    void unknownModeNamesKeyAndValue() {
        LbConfig config = properties(Map.of("lb.discovery", "consul"));
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> DiscoveryMode.of(config.discovery()));
        assertTrue(e.getMessage().contains("lb.discovery"), e.getMessage());
        assertTrue(e.getMessage().contains("'consul'"), e.getMessage());
    }

    @Test
    void kubernetesWithoutServiceNamesTheMissingKey() {
        LbConfig config = properties(Map.of("lb.discovery", "kubernetes"));
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> DiscoveryMode.of(config.discovery()));
        assertTrue(e.getMessage().contains("lb.discovery.kubernetes.service"), e.getMessage());
        assertTrue(e.getMessage().contains("lb.discovery=kubernetes"), e.getMessage());
    }

    @Test
    void serviceMustBeAServiceName() {
        LbConfig config = properties(Map.of("lb.discovery", "kubernetes",
                "lb.discovery.kubernetes.service", "Web_Frontend"));
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> DiscoveryMode.of(config.discovery()));
        assertTrue(e.getMessage().contains("lb.discovery.kubernetes.service: invalid value 'Web_Frontend'"),
                e.getMessage());
    }
}
