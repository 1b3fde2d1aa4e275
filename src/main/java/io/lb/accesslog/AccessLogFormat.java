package io.lb.accesslog;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import io.lb.proxy.Exchange;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;

/** Turns an ended exchange into one access-log line; the fields are the same in every format. */
abstract class AccessLogFormat {

    /** Longer request targets and user agents are cut: a client must not be able to write megabytes of log. */
    static final int MAX_FIELD = 2048;
    private static final DateTimeFormatter COMMON_LOG_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

    abstract String line(Exchange exchange);

    /** NGINX's {@code $time_local}, in UTC. */
    static String commonLogTime(long epochMillis) {
        return COMMON_LOG_TIME.format(Instant.ofEpochMilli(epochMillis));
    }

    static String clientAddress(HttpServerRequest request) {
        SocketAddress remote = request.remoteAddress();
        return remote == null ? "-" : remote.hostAddress();
    }

    static String protocol(HttpServerRequest request) {
        HttpVersion version = request.version();
        return version == HttpVersion.HTTP_2 ? "HTTP/2.0" : version == HttpVersion.HTTP_1_0 ? "HTTP/1.0" : "HTTP/1.1";
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e9);
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
