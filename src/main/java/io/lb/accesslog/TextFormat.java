package io.lb.accesslog;

import io.lb.proxy.Exchange;
import io.vertx.core.http.HttpServerRequest;

/**
 * NGINX's {@code combined} format, then the upstream fields as {@code key=value}:
 * <pre>
 * 10.0.0.7 - - [03/Dec/2026:08:25:01 +0000] "GET /api/users?id=7 HTTP/1.1" 200 512 "-" "curl/8.5.0"
 *     rt=0.012 uht=0.010 upstream=http://10.0.0.11:8080 tries=2 retries=connect outcome=success pool=api
 *     route=api rid=4f1c... in=0
 * </pre>
 * (one line). {@code rt}: seconds from arrival to the end; {@code uht}: to the backend's response head ({@code -}
 * if none came); the number after the status is the body bytes sent ({@code $body_bytes_sent}), {@code in} the
 * body bytes received. Quotes, backslashes and control characters in quoted
 * fields are written as {@code \xHH}, as NGINX does.
 */
final class TextFormat extends AccessLogFormat {

    @Override
    void appendLine(StringBuilder line, Exchange exchange) {
        HttpServerRequest request = exchange.request();
        line.append(clientAddress(request)).append(" - - [").append(commonLogTime(System.currentTimeMillis()))
                .append("] \"");
        escaped(line, request.method().name());
        line.append(' ');
        escaped(line, request.uri());
        line.append(' ').append(protocol(request)).append("\" ").append(exchange.status()).append(' ')
                .append(bytesSent(request)).append(" \"");
        escaped(line, orDash(request.getHeader("Referer")));
        line.append("\" \"");
        escaped(line, orDash(request.getHeader("User-Agent")));
        appendSeconds(line.append("\" rt="), exchange.durationNanos()).append(" uht=");
        if (exchange.responseHeadNanos() == 0) {
            line.append('-');
        } else {
            appendSeconds(line, exchange.responseHeadNanos());
        }
        line.append(" upstream=").append(exchange.backend() == null ? "-" : exchange.backend().id())
                .append(" tries=").append(exchange.tries())
                .append(" retries=").append(orDash(exchange.retryReasons()))
                .append(" outcome=").append(exchange.outcome().tag())
                .append(" pool=").append(orDash(exchange.pool()))
                .append(" route=").append(exchange.route() == null ? "-" : exchange.route().name())
                .append(" rid=");
        escaped(line, orDash(exchange.requestId()));
        line.append(" in=").append(bytesReceived(request));
    }

    private static void escaped(StringBuilder line, String value) {
        int length = Math.min(value.length(), MAX_FIELD);
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\' || c >= 0x7f) {
                line.append("\\x").append(Character.forDigit((c >> 4) & 0xf, 16))
                        .append(Character.forDigit(c & 0xf, 16));
            } else {
                line.append(c);
            }
        }
        if (value.length() > MAX_FIELD) {
            line.append("...");
        }
    }
}
