package io.lb.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.lb.admin.AdminConfig;
import io.lb.config.LbConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;

/**
 * The README's configuration reference against the {@code @ConfigMapping} interfaces of {@code lb.*}: every key
 * they declare has a row with its default (or "—" when it has none), and every {@code lb.*} row is a declared key.
 */
class ReadmeConfigurationTest {

    /** Every interface mapped under {@code lb}; add one here when you add a mapping. */
    private static final Class<?>[] MAPPINGS = { LbConfig.class, AdminConfig.class };

    private static final String NO_DEFAULT = "—";
    private static final Pattern ROW = Pattern.compile("^\\| `(lb\\.[^`]+)` \\| ([^|]*) \\|", Pattern.MULTILINE);

    /**
     * One row stands for every per-pool override: a pool's key whose suffix is also a global key
     * ({@code lb.pools.<pool>.health.path} and {@code lb.health.path}) takes the global key's meaning and default.
     */
    static final String POOL_OVERRIDES = "lb.pools.<pool>.<key>";
    private static final String POOL_PREFIX = "lb.pools.<pool>.";

    @Test
    void everyDeclaredKeyIsDocumentedWithItsDefault() throws IOException {
        Map<String, String> documented = documentedKeys();
        Map<String, String> declared = declaredKeys();
        assertTrue(documented.containsKey(POOL_OVERRIDES), POOL_OVERRIDES + " has no row in the README's table");
        declared.forEach((key, defaultValue) -> {
            if (isPoolOverride(key, declared) && !documented.containsKey(key)) {
                return;
            }
            assertTrue(documented.containsKey(key), key + " is declared but has no row in the README's table");
            assertEquals(defaultValue, documented.get(key), "default of " + key + " in the README's table");
        });
    }

    @Test
    void everyDocumentedKeyIsDeclared() throws IOException {
        Map<String, String> declared = declaredKeys();
        for (String key : documentedKeys().keySet()) {
            if (key.equals(POOL_OVERRIDES)) {
                continue;
            }
            assertTrue(declared.containsKey(key), key + " is in the README's table but no @ConfigMapping declares it");
        }
    }

    private static boolean isPoolOverride(String key, Map<String, String> declared) {
        return key.startsWith(POOL_PREFIX) && declared.containsKey("lb." + key.substring(POOL_PREFIX.length()));
    }

    /** Key → default as the README writes it: the @WithDefault value in backticks, or "—". */
    private static Map<String, String> declaredKeys() {
        Map<String, String> keys = new TreeMap<>();
        for (Class<?> mapping : MAPPINGS) {
            collect(mapping.getAnnotation(ConfigMapping.class).prefix(), mapping, keys);
        }
        return keys;
    }

    private static void collect(String prefix, Class<?> group, Map<String, String> keys) {
        for (Method method : group.getMethods()) {
            if (method.getParameterCount() > 0 || method.isDefault() || Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            String key = method.isAnnotationPresent(WithParentName.class) ? prefix : prefix + "." + name(method);
            Class<?> type = method.getReturnType();
            if (type == Map.class) {
                collectMapValues(key, method.getGenericReturnType(), keys);
            } else if (isGroup(type)) {
                collect(key, type, keys);
            } else {
                WithDefault value = method.getAnnotation(WithDefault.class);
                keys.put(key, value == null ? NO_DEFAULT : "`" + value.value() + "`");
            }
        }
    }

    /** {@code Map<String, Group>}: the group's keys under {@code prefix.<name>}, named for what the map holds. */
    private static void collectMapValues(String prefix, Type mapType, Map<String, String> keys) {
        Type value = ((ParameterizedType) mapType).getActualTypeArguments()[1];
        String last = prefix.substring(prefix.lastIndexOf('.') + 1);
        String placeholder = switch (last) {
            case "pools" -> "<pool>";
            case "routes" -> "<route>";
            case "set" -> "<header>";
            default -> "<name>";
        };
        if (value instanceof Class<?> group && isGroup(group)) {
            collect(prefix + "." + placeholder, group, keys);
        } else {
            keys.put(prefix + "." + placeholder, NO_DEFAULT);
        }
    }

    private static boolean isGroup(Class<?> type) {
        return type.isInterface() && type.getName().startsWith("io.lb.");
    }

    private static String name(Method method) {
        WithName name = method.getAnnotation(WithName.class);
        return name != null ? name.value() : method.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    /** The README's rows of {@code lb.*} keys: key → default cell. */
    private static Map<String, String> documentedKeys() throws IOException {
        Map<String, String> keys = new TreeMap<>();
        Matcher row = ROW.matcher(Files.readString(Path.of("README.md")));
        while (row.find()) {
            keys.put(row.group(1), row.group(2).trim());
        }
        return keys;
    }
}
