package io.lb.routing;

import java.util.Map;

/**
 * An immutable map from lower-case host names (or suffixes) to values, looked up by a region of a request's host
 * without allocating: the hash and the comparison ignore ASCII case, so the host need not be lower-cased first.
 */
final class HostTable<V> {

    private final String[] keys;
    private final Object[] values;
    private final int mask;

    HostTable(Map<String, V> entries) {
        int size = Integer.highestOneBit(Math.max(4, entries.size() * 3)) << 1;
        keys = new String[size];
        values = new Object[size];
        mask = size - 1;
        entries.forEach((key, value) -> {
            int slot = hash(key, 0, key.length()) & mask;
            while (keys[slot] != null) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = key;
            values[slot] = value;
        });
    }

    boolean isEmpty() {
        for (String key : keys) {
            if (key != null) {
                return false;
            }
        }
        return true;
    }

    /** The value for {@code host[from, to)}, ignoring case; null if none. */
    @SuppressWarnings("unchecked")
    V get(String host, int from, int to) {
        int length = to - from;
        int slot = hash(host, from, to) & mask;
        String key;
        while ((key = keys[slot]) != null) {
            if (key.length() == length && key.regionMatches(true, 0, host, from, length)) {
                return (V) values[slot];
            }
            slot = (slot + 1) & mask;
        }
        return null;
    }

    private static int hash(String text, int from, int to) {
        int hash = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            hash = 31 * hash + (c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        return hash ^ (hash >>> 16);
    }
}
