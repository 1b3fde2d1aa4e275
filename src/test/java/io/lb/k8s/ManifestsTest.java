package io.lb.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.lb.config.ConfigValidator;
import io.lb.config.LbConfig;
import io.lb.config.LbConfigs;
import io.lb.discovery.DiscoveryMode;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigMappingInterface;
import io.smallrye.config.ConfigMappings;
import io.smallrye.config.EnvConfigSource;

/**
 * Parses every manifest under k8s/ into typed Fabric8 objects and checks that they agree with each other and
 * with the application: ports, probe and metrics paths (read from application.properties, with Quarkus'
 * defaults), selectors, RBAC, ConfigMap keys and values, the kustomization, and the shutdown timing.
 */
class ManifestsTest {

    static final Path K8S = Path.of("k8s");
    static final Path APPLICATION_PROPERTIES = Path.of("src/main/resources/application.properties");
    static final Path DOCKERFILE_JVM = Path.of("src/main/docker/Dockerfile.jvm");
    static final Path DOCKERFILE_NATIVE = Path.of("src/main/docker/Dockerfile.native");

    /** The defaults of lb.shutdown.readiness-delay and quarkus.shutdown.timeout (application.properties). */
    static final Duration DEFAULT_READINESS_DELAY = Duration.ofSeconds(5);
    static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    /** The only Quarkus (not lb.*) keys the ConfigMap may set; each is a documented Quarkus runtime key. */
    static final Set<String> QUARKUS_KEYS_ALLOWED = Set.of("quarkus.shutdown.timeout", "quarkus.log.level");

    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    static final Map<Path, Object> manifests = new HashMap<>();
    static Properties properties;

    static Deployment deployment;
    static ConfigMap configMap;

    @BeforeAll
    static void load() throws IOException {
        try (Stream<Path> files = Files.list(K8S)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .sorted().toList()) {
                String text = Files.readString(file);
                assertFalse(Pattern.compile("(?m)^---").matcher(text).find(), file + ": one resource per file");
                if (file.getFileName().toString().equals("kustomization.yaml")) {
                    manifests.put(file, SERIALIZATION.unmarshal(text, Map.class));
                } else {
                    manifests.put(file, SERIALIZATION.unmarshal(text));
                }
            }
        }
        properties = new Properties();
        try (Reader reader = Files.newBufferedReader(APPLICATION_PROPERTIES)) {
            properties.load(reader);
        }
        deployment = one(Deployment.class);
        configMap = one(ConfigMap.class);
    }

    static <T> List<T> all(Class<T> type) {
        return manifests.values().stream().filter(type::isInstance).map(type::cast).toList();
    }

    static <T> T one(Class<T> type) {
        List<T> found = all(type);
        assertEquals(1, found.size(), "exactly one " + type.getSimpleName() + " in k8s/");
        return found.get(0);
    }

    /** The value in production: {@code %prod.key}, else {@code key}, else the Quarkus default. */
    static String property(String key, String defaultValue) {
        return Optional.ofNullable(properties.getProperty("%prod." + key))
                .or(() -> Optional.ofNullable(properties.getProperty(key)))
                .map(String::trim).orElse(defaultValue);
    }

    /** The value a pod sees: the ConfigMap's environment variable first, then application.properties. */
    static String effective(String key, String defaultValue) {
        String fromEnv = configMap.getData().get(envName(key));
        return fromEnv != null ? fromEnv.trim() : property(key, defaultValue);
    }

    /** SmallRye's rule: every character that is not a letter or digit becomes '_', then upper case. */
    static String envName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
    }

    static int managementPort() {
        return Integer.parseInt(effective("quarkus.management.port", "9000"));
    }

    static int httpPort() {
        return Integer.parseInt(effective("quarkus.http.port", "8080"));
    }

    /** Resolves a Quarkus sub path the way the management router does: absolute paths stay as they are. */
    static String under(String root, String path) {
        if (path.startsWith("/")) {
            return path;
        }
        String base = root.endsWith("/") ? root : root + "/";
        return base + path;
    }

    static String managementRoot() {
        String root = property("quarkus.management.root-path", "/q");
        return root.startsWith("/") ? root : "/" + root;
    }

    static String healthPath(String key, String defaultValue) {
        String healthRoot = under(managementRoot(), property("quarkus.smallrye-health.root-path", "health"));
        return under(healthRoot, property(key, defaultValue));
    }

    static String metricsPath() {
        return under(managementRoot(), property("quarkus.micrometer.export.prometheus.path", "metrics"));
    }

    static Container container() {
        List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, containers.size());
        return containers.get(0);
    }

    static Map<String, String> podLabels() {
        return deployment.getSpec().getTemplate().getMetadata().getLabels();
    }

    static int containerPort(String name) {
        return container().getPorts().stream().filter(p -> name.equals(p.getName()))
                .map(ContainerPort::getContainerPort).findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + name));
    }

    /** The container port a probe or Service target refers to, by name or number. */
    static int resolve(IntOrString port) {
        return port.getStrVal() != null ? containerPort(port.getStrVal()) : port.getIntVal();
    }

    static Duration duration(String text) {
        return DurationConverter.parseDuration(text);
    }

    // ---------------------------------------------------------------------------------------------------

    @Test
    void containerPortsAreTheApplicationPorts() {
        assertEquals(httpPort(), containerPort("http"));
        assertEquals(managementPort(), containerPort("management"));
        assertEquals(2, container().getPorts().size());
    }

    @Test
    void probesHitTheManagementPortsHealthEndpoints() {
        Container container = container();
        assertProbe(container.getLivenessProbe(), healthPath("quarkus.smallrye-health.liveness-path", "live"));
        assertProbe(container.getReadinessProbe(), healthPath("quarkus.smallrye-health.readiness-path", "ready"));
        assertProbe(container.getStartupProbe(), healthPath("quarkus.smallrye-health.startup-path", "started"));
        assertEquals("/q/health/live", container.getLivenessProbe().getHttpGet().getPath(),
                "the documented contract (DESIGN.md) itself");
        Probe startup = container.getStartupProbe();
        assertTrue(startup.getPeriodSeconds() * startup.getFailureThreshold() >= 30,
                "the startup probe allows at least 30 s to start");
    }

    static void assertProbe(Probe probe, String path) {
        assertNotNull(probe);
        HTTPGetAction get = probe.getHttpGet();
        assertNotNull(get, "an HTTP probe");
        assertEquals(path, get.getPath());
        assertEquals(managementPort(), resolve(get.getPort()), "probe on the management port");
    }

    @Test
    void prometheusAnnotationsPointAtTheMetricsEndpoint() {
        Map<String, String> annotations = deployment.getSpec().getTemplate().getMetadata().getAnnotations();
        assertEquals("true", annotations.get("prometheus.io/scrape"));
        assertEquals(String.valueOf(managementPort()), annotations.get("prometheus.io/port"));
        assertEquals(metricsPath(), annotations.get("prometheus.io/path"));
    }

    @Test
    void podIsHardened() {
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container container = container();
        assertTrue(deployment.getSpec().getReplicas() >= 2);
        assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot());
        assertTrue(pod.getSecurityContext().getRunAsUser() > 0);
        assertEquals(Boolean.TRUE, container.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(Boolean.FALSE, container.getSecurityContext().getAllowPrivilegeEscalation());
        assertEquals(List.of("ALL"), container.getSecurityContext().getCapabilities().getDrop());
        String tmpVolume = container.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp"))
                .findFirst().orElseThrow(() -> new AssertionError("/tmp must be writable")).getName();
        assertNotNull(pod.getVolumes().stream().filter(v -> v.getName().equals(tmpVolume)).findFirst()
                .orElseThrow().getEmptyDir(), "/tmp is an emptyDir");
        for (String resource : List.of("cpu", "memory")) {
            assertNotNull(container.getResources().getRequests().get(resource), "request " + resource);
            assertNotNull(container.getResources().getLimits().get(resource), "limit " + resource);
        }
        assertEquals(Boolean.FALSE, pod.getEnableServiceLinks(), "no service env vars in the lb.* namespace");
    }

    @Test
    void imagesRunAsTheSameUnprivilegedUserAndExposeTheSamePorts() throws IOException {
        long uid = deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser();
        for (Path dockerfile : List.of(DOCKERFILE_JVM, DOCKERFILE_NATIVE)) {
            String text = Files.readString(dockerfile);
            List<String> users = lines(text, "USER");
            assertEquals(String.valueOf(uid), users.get(users.size() - 1), dockerfile + ": final USER");
            assertEquals(List.of(httpPort() + " " + managementPort()), lines(text, "EXPOSE"), dockerfile.toString());
            assertTrue(lines(text, "FROM").size() >= 2, dockerfile + " is a multi-stage build");
        }
        assertTrue(Files.exists(Path.of(".dockerignore")));
    }

    static List<String> lines(String dockerfile, String instruction) {
        List<String> values = new ArrayList<>();
        Matcher matcher = Pattern.compile("(?m)^" + instruction + "\\s+(.+)$").matcher(dockerfile);
        while (matcher.find()) {
            values.add(matcher.group(1).trim());
        }
        return values;
    }

    @Test
    void gracePeriodCoversPreStopReadinessDelayAndShutdownTimeout() {
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        List<String> preStop = container().getLifecycle().getPreStop().getExec().getCommand();
        assertEquals("sleep", preStop.get(0));
        long preStopSeconds = Long.parseLong(preStop.get(1));
        Duration readinessDelay = duration(effective("lb.shutdown.readiness-delay", DEFAULT_READINESS_DELAY.toString()));
        Duration shutdownTimeout = duration(effective("quarkus.shutdown.timeout", DEFAULT_SHUTDOWN_TIMEOUT.toString()));
        long needed = preStopSeconds + readinessDelay.toSeconds() + shutdownTimeout.toSeconds();
        assertTrue(pod.getTerminationGracePeriodSeconds() > needed, "terminationGracePeriodSeconds "
                + pod.getTerminationGracePeriodSeconds() + " must exceed preStop " + preStopSeconds
                + "s + readiness delay " + readinessDelay + " + shutdown timeout " + shutdownTimeout);
    }

    @Test
    void servicesSelectTheDeploymentsPods() {
        Map<String, String> podLabels = podLabels();
        assertEquals(deployment.getSpec().getSelector().getMatchLabels(), podLabels);
        List<Service> services = all(Service.class);
        assertEquals(2, services.size());
        for (Service service : services) {
            assertEquals("ClusterIP", service.getSpec().getType());
            assertTrue(podLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet()),
                    service.getMetadata().getName() + " selects the balancer pods");
        }
        Service traffic = service(httpPort());
        ServicePort http = traffic.getSpec().getPorts().get(0);
        assertEquals(1, traffic.getSpec().getPorts().size());
        assertEquals(80, http.getPort());
        assertEquals(httpPort(), resolve(http.getTargetPort()));

        Service management = service(managementPort());
        assertEquals(1, management.getSpec().getPorts().size(), "the management Service carries nothing else");
        assertEquals(managementPort(), management.getSpec().getPorts().get(0).getPort());
    }

    static Service service(int targetPort) {
        return all(Service.class).stream()
                .filter(s -> s.getSpec().getPorts().stream().anyMatch(p -> resolve(p.getTargetPort()) == targetPort))
                .findFirst().orElseThrow(() -> new AssertionError("no Service targets port " + targetPort));
    }

    @Test
    @SuppressWarnings("unchecked")
    void serviceMonitorScrapesTheManagementService() {
        GenericKubernetesResource monitor = all(GenericKubernetesResource.class).stream()
                .filter(r -> r.getKind().equals("ServiceMonitor")).findFirst().orElseThrow();
        assertEquals("monitoring.coreos.com/v1", monitor.getApiVersion());
        Map<String, Object> spec = (Map<String, Object>) monitor.getAdditionalProperties().get("spec");
        Map<String, String> selector = (Map<String, String>) ((Map<String, Object>) spec.get("selector"))
                .get("matchLabels");
        Service management = service(managementPort());
        assertTrue(management.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()));
        assertFalse(service(httpPort()).getMetadata().getLabels().entrySet().containsAll(selector.entrySet()),
                "the traffic Service is not scraped");
        List<Map<String, Object>> endpoints = (List<Map<String, Object>>) spec.get("endpoints");
        assertEquals(1, endpoints.size());
        assertEquals(management.getSpec().getPorts().get(0).getName(), endpoints.get(0).get("port"));
        assertEquals(metricsPath(), endpoints.get(0).get("path"));
    }

    @Test
    void pdbAndHpaTargetTheDeployment() {
        PodDisruptionBudget pdb = one(PodDisruptionBudget.class);
        assertEquals(deployment.getSpec().getSelector().getMatchLabels(), pdb.getSpec().getSelector().getMatchLabels());
        assertTrue(pdb.getSpec().getMinAvailable().getIntVal() < deployment.getSpec().getReplicas(),
                "a drain can still evict one pod");

        HorizontalPodAutoscaler hpa = one(HorizontalPodAutoscaler.class);
        assertEquals("autoscaling/v2", hpa.getApiVersion());
        assertEquals("apps/v1", hpa.getSpec().getScaleTargetRef().getApiVersion());
        assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind());
        assertEquals(deployment.getMetadata().getName(), hpa.getSpec().getScaleTargetRef().getName());
        assertTrue(hpa.getSpec().getMinReplicas() >= 2);
        assertTrue(hpa.getSpec().getMaxReplicas() > hpa.getSpec().getMinReplicas());
        MetricSpec metric = hpa.getSpec().getMetrics().get(0);
        assertEquals("cpu", metric.getResource().getName());
        assertEquals("Utilization", metric.getResource().getTarget().getType());
    }

    @Test
    void rbacGrantsExactlyWhatDiscoveryUses() {
        ServiceAccount account = one(ServiceAccount.class);
        assertEquals(account.getMetadata().getName(), deployment.getSpec().getTemplate().getSpec().getServiceAccountName());
        Role role = one(Role.class);
        assertEquals(1, role.getRules().size());
        PolicyRule rule = role.getRules().get(0);
        assertEquals(List.of("discovery.k8s.io"), rule.getApiGroups());
        assertEquals(List.of("endpointslices"), rule.getResources());
        assertEquals(Set.of("get", "list", "watch"), Set.copyOf(rule.getVerbs()));
        assertEquals(3, rule.getVerbs().size());
        assertTrue(rule.getResourceNames() == null || rule.getResourceNames().isEmpty());

        RoleBinding binding = one(RoleBinding.class);
        assertEquals("Role", binding.getRoleRef().getKind());
        assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
        assertEquals(1, binding.getSubjects().size());
        assertEquals("ServiceAccount", binding.getSubjects().get(0).getKind());
        assertEquals(account.getMetadata().getName(), binding.getSubjects().get(0).getName());
        assertTrue(all(HasMetadata.class).stream().noneMatch(r -> r.getKind().startsWith("Cluster")),
                "nothing cluster-wide");
    }

    @Test
    void configMapIsLoadedByTheDeployment() {
        List<EnvFromSource> envFrom = container().getEnvFrom();
        assertTrue(envFrom.stream().anyMatch(e -> e.getConfigMapRef() != null
                && configMap.getMetadata().getName().equals(e.getConfigMapRef().getName())));
    }

    @Test
    void everyConfigMapKeyIsAKeyTheApplicationKnows() {
        Map<String, ConfigMappingInterface.Property> lbProperties = ConfigMappings
                .getProperties(ConfigMappings.ConfigClass.configClass(LbConfig.class, "lb"));
        assertTrue(lbProperties.containsKey("lb.discovery"), "lb.discovery itself is a key: " + lbProperties.keySet());
        assertTrue(lbProperties.containsKey("lb.discovery.kubernetes.service"));
        List<Pattern> known = new ArrayList<>();
        for (String key : lbProperties.keySet()) {
            known.add(envPattern(key));
        }
        for (String key : QUARKUS_KEYS_ALLOWED) {
            known.add(envPattern(key));
        }
        Set<String> unknown = new TreeSet<>();
        for (String name : configMap.getData().keySet()) {
            if (known.stream().noneMatch(p -> p.matcher(name).matches())) {
                unknown.add(name);
            }
        }
        assertEquals(Set.of(), unknown, "ConfigMap keys that map to no configuration key of the application; known: "
                + lbProperties.keySet().stream().map(ManifestsTest::envName).collect(Collectors.toCollection(TreeSet::new)));
    }

    /** A key's environment variable name; a map key ({@code *}) matches any segment. */
    static Pattern envPattern(String key) {
        StringBuilder regex = new StringBuilder();
        for (String part : key.split("\\*", -1)) {
            if (regex.length() > 0) {
                regex.append("[A-Z0-9_]+");
            }
            regex.append(Pattern.quote(envName(part)));
        }
        return Pattern.compile(regex.toString());
    }

    @Test
    void configMapValuesPassTheApplicationsStartupValidation() {
        Map<String, String> env = new HashMap<>(configMap.getData());
        LbConfig config = LbConfigs.builder().withSources(new EnvConfigSource(env, 300)).build()
                .getConfigMapping(LbConfig.class);
        ConfigValidator.validate(config);
        DiscoveryMode mode = DiscoveryMode.of(config.discovery());
        if (mode == DiscoveryMode.KUBERNETES) {
            assertTrue(config.discovery().kubernetes().service().isPresent());
        }
        duration(effective("quarkus.shutdown.timeout", DEFAULT_SHUTDOWN_TIMEOUT.toString()));
    }

    @Test
    @SuppressWarnings("unchecked")
    void kustomizationListsEveryManifest() throws IOException {
        Map<String, Object> kustomization = (Map<String, Object>) manifests.get(K8S.resolve("kustomization.yaml"));
        assertNotNull(kustomization, "k8s/kustomization.yaml");
        assertEquals("Kustomization", kustomization.get("kind"));
        List<String> resources = (List<String>) kustomization.get("resources");
        Set<String> files = manifests.keySet().stream().map(p -> p.getFileName().toString())
                .filter(name -> !name.equals("kustomization.yaml")).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(files, new TreeSet<>(resources));
        assertEquals(resources.size(), Set.copyOf(resources).size(), "no duplicates");
        // the image name the kustomization rewrites is the one the Deployment uses
        List<Map<String, Object>> images = (List<Map<String, Object>>) kustomization.get("images");
        assertEquals(container().getImage(), images.get(0).get("name"));
    }

    @Test
    void everyManifestIsATypedKubernetesObject() {
        for (Map.Entry<Path, Object> entry : manifests.entrySet()) {
            if (entry.getKey().endsWith("kustomization.yaml")) {
                continue;
            }
            HasMetadata resource = assertInstanceOf(HasMetadata.class, entry.getValue(), entry.getKey().toString());
            assertNotNull(resource.getMetadata().getName(), entry.getKey() + " has a name");
            assertEquals(null, resource.getMetadata().getNamespace(),
                    entry.getKey() + ": no namespace, kustomize or kubectl -n chooses it");
            if (!(resource instanceof GenericKubernetesResource)) {
                continue;
            }
            if (!resource.getKind().equals("ServiceMonitor")) {
                fail(entry.getKey() + " did not parse into a typed object: " + resource.getKind());
            }
        }
        assertEquals(12, manifests.size(), "k8s/ holds " + manifests.keySet());
    }

    @Test
    void managementPortIsOnlyReachableFromMonitoring() {
        NetworkPolicy policy = one(NetworkPolicy.class);
        assertTrue(podLabels().entrySet().containsAll(policy.getSpec().getPodSelector().getMatchLabels().entrySet()));
        assertEquals(List.of("Ingress"), policy.getSpec().getPolicyTypes());
        boolean managementRuleSeen = false;
        for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
            Set<Integer> ports = rule.getPorts().stream().map(NetworkPolicyPort::getPort).map(ManifestsTest::resolve)
                    .collect(Collectors.toSet());
            if (ports.contains(managementPort())) {
                managementRuleSeen = true;
                assertEquals(Set.of(managementPort()), ports, "the management rule opens nothing else");
                assertEquals(1, rule.getFrom().size());
                assertEquals(Map.of("kubernetes.io/metadata.name", "monitoring"),
                        rule.getFrom().get(0).getNamespaceSelector().getMatchLabels());
                assertEquals(null, rule.getFrom().get(0).getPodSelector());
            } else {
                assertEquals(Set.of(httpPort()), ports, "the open rule is the traffic port only");
            }
        }
        assertTrue(managementRuleSeen);
    }
}
