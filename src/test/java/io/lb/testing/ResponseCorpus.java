package io.lb.testing;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Backend responses, malformed and valid, each built around the token of the request it answers. A
 * {@link CorpusBackend} serves them; the tests check what the balancer made of them. Every response names its own
 * request's token wherever it carries bytes (header, body, leftovers), so that a client that gets bytes meant for
 * another request can tell: {@link #TOKEN} finds every token in what it got.
 */
public final class ResponseCorpus {

    /** What a client may see for a scenario. */
    public enum Outcome {
        /** Its own response: the scenario's status, its token in X-Token and (when there is a body) in the body. */
        OWN,
        /** A clean 502 from the balancer: no backend bytes in it. */
        BAD_GATEWAY,
        /** The response was cut (connection closed or reset before its end): only when the body broke mid-way. */
        ABORT
    }

    /** Tokens look like this; nothing else in any response does. */
    public static final Pattern TOKEN = Pattern.compile("tok-[0-9a-f]{12}");

    /**
     * How to answer: {@code framed} is the response proper (it may be written in fragments), {@code trailing} is
     * written in the same write as the framed response's last byte (so it arrives with it), {@code delayed} is
     * written once the connection has been idle for 50 ms after the response. {@code closeAfter}: the backend
     * closes the connection after the response (it says so in a Connection: close header, or its body is
     * delimited by the close).
     */
    public record Plan(byte[] framed, byte[] trailing, byte[] delayed, boolean closeAfter) {
        static Plan of(String framed) {
            return new Plan(bytes(framed), null, null, false);
        }

        static Plan glued(String framed, String trailing) {
            return new Plan(bytes(framed), bytes(trailing), null, false);
        }

        static Plan delayed(String framed, String delayed) {
            return new Plan(bytes(framed), null, bytes(delayed), false);
        }

        static Plan closing(String framed) {
            return new Plan(bytes(framed), null, null, true);
        }
    }

    /**
     * One kind of backend answer. {@code methods}: what a client may send for it (POST is never retried, GET is);
     * {@code status}: the status of an {@link Outcome#OWN} answer; {@code allowed}: what a client may get;
     * {@code mustNotReuse}: the backend connection must not carry another request after this one.
     */
    public record Scenario(String name, List<String> methods, int status, Set<Outcome> allowed,
            boolean mustNotReuse, Function<String, Plan> plan) {

        public boolean hasBody(String method) {
            return !method.equals("HEAD") && status != 204 && status != 304;
        }

        public boolean leavesBytesBehind() {
            Plan sample = plan.apply("tok-000000000000");
            return sample.trailing() != null || sample.delayed() != null;
        }

        public boolean delayedOnIdle() {
            return plan.apply("tok-000000000000").delayed() != null;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<String> GET_POST = List.of("GET", "POST");
    private static final Set<Outcome> OWN = EnumSet.of(Outcome.OWN);
    private static final Set<Outcome> BAD_GATEWAY = EnumSet.of(Outcome.BAD_GATEWAY);
    private static final Set<Outcome> OWN_OR_BAD_GATEWAY = EnumSet.of(Outcome.OWN, Outcome.BAD_GATEWAY);
    private static final Set<Outcome> BROKEN_BODY = EnumSet.of(Outcome.BAD_GATEWAY, Outcome.ABORT);

    private static final Map<String, Scenario> ALL = new LinkedHashMap<>();

    /** The incomplete head of issue 24, marked with the token of the response it was glued to. */
    static String incompleteHead(String token) {
        return "HTTP/1.1 200 OK\r\nX-Smuggled: " + token + "\r\nSet-Cookie: session=attacker\r\nX-Swallow: ";
    }

    static String completeResponse(String token) {
        String body = "smuggled body of " + token;
        return "HTTP/1.1 200 OK\r\nX-Smuggled: " + token + "\r\nSet-Cookie: session=attacker\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body;
    }

    /** A valid response head and body of declared length, echoing the token. */
    static String ok(String token, String extraHeaders) {
        String body = body(token);
        return "HTTP/1.1 200 OK\r\nX-Token: " + token + "\r\nContent-Type: text/plain\r\n" + extraHeaders
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    static String body(String token) {
        return "token=" + token + "\n";
    }

    private static String chunked(String token, String extraHeaders, String chunks) {
        return "HTTP/1.1 200 OK\r\nX-Token: " + token + "\r\nContent-Type: text/plain\r\n" + extraHeaders
                + "Transfer-Encoding: chunked\r\n\r\n" + chunks;
    }

    private static String chunk(String data) {
        return Integer.toHexString(data.length()) + "\r\n" + data + "\r\n";
    }

    private static String status(String line, String token) {
        return line + "\r\nX-Token: " + token + "\r\nContent-Length: " + body(token).length() + "\r\n\r\n"
                + body(token);
    }

    private static void add(String name, List<String> methods, int status, Set<Outcome> allowed,
            boolean mustNotReuse, Function<String, Plan> plan) {
        ALL.put(name, new Scenario(name, methods, status, allowed, mustNotReuse, plan));
    }

    static {
        // ---- valid: the client gets exactly its own response ---------------------------------------------------
        add("valid-length", GET_POST, 200, OWN, false, t -> Plan.of(ok(t, "")));
        add("valid-chunked", GET_POST, 200, OWN, false, t -> Plan.of(chunked(t, "",
                chunk("token=") + chunk(t) + chunk("\n") + "0\r\n\r\n")));
        add("valid-chunked-trailers", GET_POST, 200, OWN, false, t -> Plan.of(chunked(t, "Trailer: X-Checksum\r\n",
                chunk(body(t)) + "0\r\nX-Checksum: " + t + "\r\n\r\n")));
        add("valid-chunk-extension", GET_POST, 200, OWN, false, t -> Plan.of(chunked(t, "",
                Integer.toHexString(body(t).length()) + ";name=value\r\n" + body(t) + "\r\n0\r\n\r\n")));
        add("valid-close-delimited", GET_POST, 200, OWN, false, t -> Plan.closing(
                "HTTP/1.1 200 OK\r\nX-Token: " + t + "\r\nConnection: close\r\n\r\n" + body(t)));
        add("valid-connection-close", GET_POST, 200, OWN, false, t -> Plan.closing(ok(t, "Connection: close\r\n")));
        add("valid-http10-close", GET_POST, 200, OWN, false, t -> Plan.closing(
                "HTTP/1.0 200 OK\r\nX-Token: " + t + "\r\nContent-Length: " + body(t).length() + "\r\n\r\n"
                        + body(t)));
        add("valid-100-continue", GET_POST, 200, OWN, false, t -> Plan.of("HTTP/1.1 100 Continue\r\n\r\n" + ok(t, "")));
        add("valid-103-early-hints", GET_POST, 200, OWN, false, t -> Plan.of(
                "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n" + ok(t, "")));
        add("valid-large", GET_POST, 200, OWN, false, t -> {
            String body = body(t) + "x".repeat(48 * 1024) + body(t);
            return Plan.of("HTTP/1.1 200 OK\r\nX-Token: " + t + "\r\nContent-Length: " + body.length() + "\r\n\r\n"
                    + body);
        });
        add("valid-204", GET_POST, 204, OWN, false, t -> Plan.of("HTTP/1.1 204 No Content\r\nX-Token: " + t
                + "\r\n\r\n"));
        add("valid-304", List.of("GET"), 304, OWN, false, t -> Plan.of("HTTP/1.1 304 Not Modified\r\nX-Token: " + t
                + "\r\nETag: \"e\"\r\n\r\n"));
        add("valid-head", List.of("HEAD"), 200, OWN, false, t -> Plan.of("HTTP/1.1 200 OK\r\nX-Token: " + t
                + "\r\nContent-Length: " + body(t).length() + "\r\n\r\n"));

        // ---- bytes beyond the framed end: that response is whole, the connection is never used again -----------
        add("glued-complete-response", GET_POST, 200, OWN, true, t -> Plan.glued(ok(t, ""), completeResponse(t)));
        add("glued-incomplete-head", GET_POST, 200, OWN, true, t -> Plan.glued(ok(t, ""), incompleteHead(t)));
        add("glued-incomplete-head-after-chunked", GET_POST, 200, OWN, true, t -> Plan.glued(
                chunked(t, "", chunk(body(t)) + "0\r\n\r\n"), incompleteHead(t)));
        add("miscounted-content-length", GET_POST, 200, OWN, true, t -> Plan.glued(ok(t, ""),
                "and more of " + t + " than announced"));
        add("bytes-after-204", GET_POST, 204, OWN, true, t -> Plan.glued(
                "HTTP/1.1 204 No Content\r\nX-Token: " + t + "\r\n\r\n", incompleteHead(t)));
        add("body-after-204", GET_POST, 204, OWN, true, t -> Plan.glued(
                "HTTP/1.1 204 No Content\r\nX-Token: " + t + "\r\nContent-Length: 0\r\n\r\n",
                "a body for " + t + " where none may be"));
        add("bytes-after-304", List.of("GET"), 304, OWN, true, t -> Plan.glued(
                "HTTP/1.1 304 Not Modified\r\nX-Token: " + t + "\r\n\r\n", incompleteHead(t)));
        add("bytes-after-head-answer", List.of("HEAD"), 200, OWN, true, t -> Plan.glued(
                "HTTP/1.1 200 OK\r\nX-Token: " + t + "\r\nContent-Length: " + incompleteHead(t).length() + "\r\n\r\n",
                incompleteHead(t)));
        add("delayed-incomplete-head-on-idle", GET_POST, 200, OWN, true, t -> Plan.delayed(ok(t, ""),
                incompleteHead(t)));
        add("delayed-complete-response-on-idle", GET_POST, 200, OWN, true, t -> Plan.delayed(ok(t, ""),
                completeResponse(t)));

        // ---- framing the balancer must refuse -------------------------------------------------------------------
        add("content-length-and-chunked", GET_POST, 200, BAD_GATEWAY, true, t -> Plan.of(chunked(t,
                "Content-Length: " + body(t).length() + "\r\n", chunk(body(t)) + "0\r\n\r\n")));
        add("chunked-and-content-length", GET_POST, 200, BAD_GATEWAY, true, t -> Plan.of(
                "HTTP/1.1 200 OK\r\nX-Token: " + t + "\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
                        + chunk(body(t)) + "0\r\n\r\n"));
        add("two-content-lengths-differing", GET_POST, 200, BAD_GATEWAY, true, t -> Plan.of(
                "HTTP/1.1 200 OK\r\nX-Token: " + t + "\r\nContent-Length: 3\r\nContent-Length: " + body(t).length()
                        + "\r\n\r\n" + body(t)));
        add("content-length-list-differing", GET_POST, 200, BAD_GATEWAY, true, t -> Plan.of(
                "HTTP/1.1 200 OK\r\nX-Token: " + t + "\r\nContent-Length: 3, " + body(t).length() + "\r\n\r\n"
                        + body(t)));
        add("switching-protocols-unasked", GET_POST, 101, BAD_GATEWAY, true, t -> Plan.of(
                "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nX-Token: " + t
                        + "\r\n\r\n" + "raw tunnel bytes of " + t));
        add("status-999999", GET_POST, 200, BAD_GATEWAY, false, t -> Plan.of(status("HTTP/1.1 999999 X", t)));
        add("status-42", GET_POST, 200, BAD_GATEWAY, false, t -> Plan.of(status("HTTP/1.1 42 X", t)));
        add("status-600", GET_POST, 200, BAD_GATEWAY, false, t -> Plan.of(status("HTTP/1.1 600 X", t)));
        add("status-099", GET_POST, 200, BAD_GATEWAY, false, t -> Plan.of(status("HTTP/1.1 099 X", t)));
        add("status-negative", GET_POST, 200, BAD_GATEWAY, false, t -> Plan.of(status("HTTP/1.1 -200 X", t)));

        // ---- broken chunked bodies: the head may already be on its way, so a cut response is clean too -----------
        add("chunk-size-not-hex", GET_POST, 200, BROKEN_BODY, true, t -> Plan.of(chunked(t, "",
                "zz\r\n" + body(t) + "\r\n0\r\n\r\n")));
        add("chunk-size-negative", GET_POST, 200, BROKEN_BODY, true, t -> Plan.of(chunked(t, "",
                "-" + Integer.toHexString(body(t).length()) + "\r\n" + body(t) + "\r\n0\r\n\r\n")));
        add("chunk-size-overflowing", GET_POST, 200, BROKEN_BODY, true, t -> Plan.of(chunked(t, "",
                "1" + "0".repeat(20) + "\r\n" + body(t) + "\r\n0\r\n\r\n")));
        add("chunk-size-broken-mid-body", GET_POST, 200, BROKEN_BODY, true, t -> Plan.of(chunked(t, "",
                chunk("token=") + "g\r\n" + t + "\r\n0\r\n\r\n")));

        // ---- malformed heads a proxy may repair or refuse: either, but nothing else --------------------------------
        add("two-content-lengths-equal", GET_POST, 200, OWN_OR_BAD_GATEWAY, false, t -> Plan.of(
                "HTTP/1.1 200 OK\r\nX-Token: " + t + "\r\nContent-Length: " + body(t).length() + "\r\nContent-Length: "
                        + body(t).length() + "\r\n\r\n" + body(t)));
        add("obs-fold", GET_POST, 200, OWN_OR_BAD_GATEWAY, false, t -> Plan.of(
                ok(t, "X-Folded: first\r\n  continued\r\n")));
        add("nul-in-header-value", GET_POST, 200, OWN_OR_BAD_GATEWAY, false, t -> Plan.of(
                ok(t, "X-Nul: a\u0000b\r\n")));
        add("space-before-colon", GET_POST, 200, OWN_OR_BAD_GATEWAY, false, t -> Plan.of(
                ok(t, "X-Spaced : yes\r\n")));
    }

    private ResponseCorpus() {
    }

    public static List<Scenario> all() {
        return List.copyOf(ALL.values());
    }

    public static Scenario named(String name) {
        Scenario scenario = ALL.get(name);
        if (scenario == null) {
            throw new IllegalArgumentException("no scenario " + name);
        }
        return scenario;
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
