package io.lb.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.lb.config.InvalidConfigException;
import io.lb.config.LbConfig;
import io.lb.config.LbConfigs;
import io.lb.config.PoolSettings;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;

/**
 * {@code lb.discovery} (and {@code lb.pools.<pool>.discovery}) is a value and a prefix at once; these tests pin how
 * it is read and checked.
 */
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

    /** A named pool's discovery, as resolved for the pool registry and checked at startup. */
    private static DiscoveryMode poolMode(Map<String, String> values, String pool) {
        PoolSettings settings = PoolSettings.resolveAll(properties(values)).get(pool);
        return DiscoveryMode.of(settings.discovery());
    }

    private static String poolFailure(Map<String, String> values, String pool) {
        return assertThrows(InvalidConfigException.class, () -> poolMode(values, pool)).getMessage();
    }

    @Test
    void aPoolReadsItsOwnDiscoveryKeys() {
        Map<String, String> values = Map.of(
                "lb.pools.api.discovery", "kubernetes",
                "lb.pools.api.discovery.kubernetes.service", "api",
                "lb.pools.api.discovery.kubernetes.namespace", "shop",
                "lb.pools.api.discovery.kubernetes.port-name", "http",
                "lb.pools.web.backends", "http://127.0.0.1:1");
        assertEquals(DiscoveryMode.KUBERNETES, poolMode(values, "api"));
        assertEquals(DiscoveryMode.STATIC, poolMode(values, "web"));
        PoolSettings.Discovery api = PoolSettings.resolveAll(properties(values)).get("api").discovery();
        DiscoveredService service = DiscoveredService.of("api", api, "own");
        assertEquals(new DiscoveredService("api", "lb.pools.api.discovery", "shop", "api",
                java.util.Optional.of("http")), service);
        assertEquals("own", DiscoveredService.of("api", new PoolSettings.Discovery("kubernetes",
                "lb.pools.api.discovery", java.util.Optional.of("api"), java.util.Optional.of(" "),
                java.util.Optional.empty()), "own").namespace(), "a blank namespace is the balancer's own");
    }

    @Test
    void aPoolsUnknownModeNamesItsKeyAndValue() {
        // without backends too: the bad value is reported, not the missing backends
        String message = poolFailure(Map.of("lb.pools.api.discovery", "consul"), "api");
        assertTrue(message.startsWith("lb.pools.api.discovery: invalid value 'consul'"), message);
        assertTrue(message.contains("lb.pools.api.backends"), message);
    }

    @Test
    void aPoolsKubernetesDiscoveryWithoutServiceNamesTheMissingKey() {
        String message = poolFailure(Map.of("lb.pools.api.discovery", "kubernetes"), "api");
        assertTrue(message.startsWith("lb.pools.api.discovery.kubernetes.service is missing: "
                + "lb.pools.api.discovery=kubernetes needs"), message);
    }

    @Test
    void aPoolsServiceMustBeAServiceName() {
        String message = poolFailure(Map.of("lb.pools.api.discovery", "kubernetes",
                "lb.pools.api.discovery.kubernetes.service", "API.v1"), "api");
        assertTrue(message.startsWith("lb.pools.api.discovery.kubernetes.service: invalid value 'API.v1'"), message);
    }

    @Test
    void theGlobalUnknownModeIsReportedEvenWithoutBackends() {
        String message = poolFailure(Map.of("lb.discovery", "consul"), "default");
        assertTrue(message.startsWith("lb.discovery: invalid value 'consul'"), message);
        assertTrue(message.contains("(lb.backends)"), message);
    }

    @Test
    void aPoolsDiscoveryFromEnvironmentVariables() {
        LbConfig config = environment(Map.of(
                "LB_POOLS_API_DISCOVERY", "kubernetes",
                "LB_POOLS_API_DISCOVERY_KUBERNETES_SERVICE", "api",
                "LB_POOLS_API_DISCOVERY_KUBERNETES_PORT_NAME", "http"));
        PoolSettings.Discovery api = PoolSettings.resolveAll(config).get("api").discovery();
        assertEquals(DiscoveryMode.KUBERNETES, DiscoveryMode.of(api));
        assertEquals("api", api.service().orElseThrow());
        assertEquals("http", api.portName().orElseThrow());
    }
}
