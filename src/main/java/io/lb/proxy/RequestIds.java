package io.lb.proxy;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import io.lb.client.VertxInternals;
import io.lb.config.InvalidConfigException;
import io.lb.config.LbConfig;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * The id of each request ({@code lb.request-id.header}, default {@code X-Request-Id}): the client's own when it
 * sent a sane one (at most {@link #MAX_LENGTH} printable ASCII characters), a new random one otherwise. It travels
 * to the backend, back to the client, and into the access log and the balancer's own error bodies.
 */
final class RequestIds {

    static final int MAX_LENGTH = 200;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final boolean enabled;
    /** As configured, for HTTP/1.x messages. */
    private final CharSequence header;
    /** For look-ups (any case matches on HTTP/1.x) and HTTP/2 messages, which Vert.x would lower-case by copying. */
    private final CharSequence lowerCaseHeader;

    RequestIds(LbConfig.RequestId config) {
        String name = config.header().strip();
        if (name.isEmpty() || !name.chars().allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
            throw new InvalidConfigException("lb.request-id.header: invalid value '" + config.header()
                    + "': not a header name");
        }
        this.enabled = config.enabled();
        this.header = HttpHeaders.createOptimized(name);
        this.lowerCaseHeader = HttpHeaders.createOptimized(name.toLowerCase(Locale.ROOT));
    }

    /** The request's id, or null when ids are off. */
    String of(HttpServerRequest request) {
        if (!enabled) {
            return null;
        }
        String sent = request.headers().get(lowerCaseHeader);
        return sent != null && isSane(sent) ? sent : generate();
    }

    /** Writes {@code id} (when there is one) into {@code headers}, replacing any other value. */
    void write(String id, MultiMap headers) {
        if (id != null) {
            headers.set(VertxInternals.lowersNames(headers) ? lowerCaseHeader : header, id);
        }
    }

    private static boolean isSane(String id) {
        int length = id.length();
        if (length == 0 || length > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = id.charAt(i);
            if (c <= 32 || c >= 127) {
                return false;
            }
        }
        return true;
    }

    /** 128 random bits as 32 hexadecimal digits. */
    static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        byte[] digits = new byte[32];
        long high = random.nextLong();
        long low = random.nextLong();
        for (int i = 0; i < 16; i++) {
            digits[i] = HEX[(int) (high >>> (60 - 4 * i)) & 0xf];
            digits[16 + i] = HEX[(int) (low >>> (60 - 4 * i)) & 0xf];
        }
        return new String(digits, StandardCharsets.ISO_8859_1); // one byte per character, no char[] between
    }
}
