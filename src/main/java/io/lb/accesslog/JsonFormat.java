package io.lb.accesslog;

import io.lb.proxy.Exchange;
import io.vertx.core.http.HttpServerRequest;

/**
 * One JSON object a line, for log shippers: {@code time} (ISO-8601, UTC), {@code client}, {@code method},
 * {@code uri}, {@code protocol}, {@code status}, {@code bytes_in} and {@code bytes_out} (body bytes received from
 * and sent to the client), {@code duration_s},
 * {@code upstream_head_s} (null if no head came), {@code upstream}, {@code tries}, {@code retries} (a list of
 * reasons), {@code outcome}, {@code pool}, {@code route}, {@code request_id}, {@code user_agent},
 * {@code referer}.
 */
final class JsonFormat extends AccessLogFormat {

    @Override
    void appendLine(StringBuilder json, Exchange exchange) {
        HttpServerRequest request = exchange.request();
        json.append('{');
        appendIsoTime(json.append("\"time\":\""), System.currentTimeMillis()).append("\",");
        field(json, "client", clientAddress(request)).append(',');
        field(json, "method", request.method().name()).append(',');
        field(json, "uri", request.uri()).append(',');
        field(json, "protocol", protocol(request)).append(',');
        json.append("\"status\":").append(exchange.status()).append(',');
        json.append("\"bytes_in\":").append(bytesReceived(request)).append(',');
        json.append("\"bytes_out\":").append(bytesSent(request)).append(',');
        appendSeconds(json.append("\"duration_s\":"), exchange.durationNanos()).append(',');
        json.append("\"upstream_head_s\":");
        if (exchange.responseHeadNanos() == 0) {
            json.append("null");
        } else {
            appendSeconds(json, exchange.responseHeadNanos());
        }
        json.append(',');
        field(json, "upstream", exchange.backend() == null ? null : exchange.backend().id()).append(',');
        json.append("\"tries\":").append(exchange.tries()).append(",\"retries\":[");
        String reasons = exchange.retryReasons();
        if (!reasons.isEmpty()) {
            int from = 0;
            while (from <= reasons.length()) {
                int comma = reasons.indexOf(',', from);
                int end = comma < 0 ? reasons.length() : comma;
                string(json.append(from == 0 ? "" : ","), reasons.substring(from, end));
                from = end + 1;
            }
        }
        json.append("],");
        field(json, "outcome", exchange.outcome().tag()).append(',');
        field(json, "pool", exchange.pool()).append(',');
        field(json, "route", exchange.route() == null ? null : exchange.route().name()).append(',');
        field(json, "request_id", exchange.requestId()).append(',');
        field(json, "user_agent", request.getHeader("User-Agent")).append(',');
        field(json, "referer", request.getHeader("Referer"));
        json.append('}');
    }

    private static StringBuilder field(StringBuilder json, String name, String value) {
        json.append('"').append(name).append("\":");
        return value == null ? json.append("null") : string(json, value);
    }

    private static StringBuilder string(StringBuilder json, String value) {
        json.append('"');
        int length = Math.min(value.length(), MAX_FIELD);
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        if (value.length() > MAX_FIELD) {
            json.append("...");
        }
        return json.append('"');
    }
}
