package io.lb.routing;

import java.util.List;
import java.util.Map;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

/**
 * Headers a route removes, then sets (replacing any value), on one side of the exchange. Names and values are
 * prepared once, so applying them allocates nothing.
 */
public final class HeaderRewrite {

    public static final HeaderRewrite NONE = new HeaderRewrite(Map.of(), List.of());

    private final CharSequence[] removed;
    private final CharSequence[] setNames;
    private final CharSequence[] setValues;

    public HeaderRewrite(Map<String, String> set, List<String> remove) {
        this.removed = remove.stream().map(String::strip).map(HttpHeaders::createOptimized)
                .toArray(CharSequence[]::new);
        this.setNames = set.keySet().stream().map(HttpHeaders::createOptimized).toArray(CharSequence[]::new);
        this.setValues = set.values().stream().map(HttpHeaders::createOptimized).toArray(CharSequence[]::new);
    }

    public boolean isEmpty() {
        return removed.length == 0 && setNames.length == 0;
    }

    public void applyTo(MultiMap headers) {
        for (CharSequence name : removed) {
            headers.remove(name);
        }
        for (int i = 0; i < setNames.length; i++) {
            headers.set(setNames[i], setValues[i]);
        }
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (CharSequence name : removed) {
            text.append(text.isEmpty() ? "" : ", ").append("-").append(name);
        }
        for (int i = 0; i < setNames.length; i++) {
            text.append(text.isEmpty() ? "" : ", ").append(setNames[i]).append(": ").append(setValues[i]);
        }
        return text.toString();
    }
}
