package io.lb.accesslog;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import io.lb.proxy.Exchange;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;

/**
 * Turns an ended exchange into one access-log line; the fields are the same in every format. A line is written
 * for every request on the event loop that served it, so the formatting appends into one builder: durations as
 * integer arithmetic, timestamps formatted once a second and reused.
 */
abstract class AccessLogFormat {

    /** Longer request targets and user agents are cut: a client must not be able to write megabytes of log. */
    static final int MAX_FIELD = 2048;
    private static final DateTimeFormatter COMMON_LOG_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

    private static final DateTimeFormatter ISO_SECOND =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);
    /** The last second formatted, by every event loop: a line is written per request, the text changes once a second. */
    private static volatile FormattedSecond commonLogSecond = new FormattedSecond(Long.MIN_VALUE, "");
    private static volatile FormattedSecond isoSecond = new FormattedSecond(Long.MIN_VALUE, "");

    private record FormattedSecond(long epochSecond, String text) {
    }

    /** Appends the exchange's line, without a line break. */
    abstract void appendLine(StringBuilder out, Exchange exchange);

    /** The exchange's line on its own. */
    final String line(Exchange exchange) {
        StringBuilder line = new StringBuilder(320);
        appendLine(line, exchange);
        return line.toString();
    }

    /** NGINX's {@code $time_local}, in UTC. */
    static String commonLogTime(long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000);
        FormattedSecond cached = commonLogSecond;
        if (cached.epochSecond() != second) {
            cached = new FormattedSecond(second, COMMON_LOG_TIME.format(Instant.ofEpochSecond(second)));
            commonLogSecond = cached;
        }
        return cached.text();
    }

    /** ISO-8601 in UTC as {@link Instant#toString()} writes a millisecond instant: {@code 2026-12-03T12:58:33.120Z}. */
    static StringBuilder appendIsoTime(StringBuilder out, long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000);
        FormattedSecond cached = isoSecond;
        if (cached.epochSecond() != second) {
            cached = new FormattedSecond(second, ISO_SECOND.format(Instant.ofEpochSecond(second)));
            isoSecond = cached;
        }
        out.append(cached.text());
        int millis = (int) Math.floorMod(epochMillis, 1000);
        if (millis != 0) {
            appendThreeDigits(out.append('.'), millis);
        }
        return out.append('Z');
    }

    /** Seconds with three decimals, rounded half up: what {@code String.format("%.3f", nanos / 1e9)} writes. */
    static StringBuilder appendSeconds(StringBuilder out, long nanos) {
        long millis = (nanos + 500_000) / 1_000_000;
        return appendThreeDigits(out.append(millis / 1000).append('.'), (int) (millis % 1000));
    }

    private static StringBuilder appendThreeDigits(StringBuilder out, int value) {
        if (value < 100) {
            out.append('0');
        }
        if (value < 10) {
            out.append('0');
        }
        return out.append(value);
    }

    static String clientAddress(HttpServerRequest request) {
        SocketAddress remote = request.remoteAddress();
        return remote == null ? "-" : remote.hostAddress();
    }

    static String protocol(HttpServerRequest request) {
        HttpVersion version = request.version();
        return version == HttpVersion.HTTP_2 ? "HTTP/2.0" : version == HttpVersion.HTTP_1_0 ? "HTTP/1.0" : "HTTP/1.1";
    }

    static String orDash(String value) {
        return value == null || value.isEmpty() ? "-" : value;
    }

    static long bytesReceived(HttpServerRequest request) {
        return request.bytesRead();
    }

    static long bytesSent(HttpServerRequest request) {
        return request.response().bytesWritten();
    }
}
