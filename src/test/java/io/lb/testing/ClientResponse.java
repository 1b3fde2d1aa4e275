package io.lb.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One response as a client read it off a raw socket, strictly (RFC 9112 framing: no body for HEAD, 1xx, 204 and
 * 304; chunked; Content-Length; else until the close). {@code raw} is every byte read for it, so that a test can
 * look for foreign bytes even in a response that was cut; {@code complete} is false when the connection ended or
 * broke before the framed end.
 */
public record ClientResponse(int status, List<String[]> headers, String body, String raw, boolean complete,
        String problem) {

    private static final int MAX_HEAD = 256 * 1024;

    /** The values of header {@code name}, in order. */
    public List<String> all(String name) {
        List<String> values = new ArrayList<>();
        for (String[] header : headers) {
            if (header[0].equalsIgnoreCase(name)) {
                values.add(header[1]);
            }
        }
        return values;
    }

    public String header(String name) {
        List<String> values = all(name);
        return values.isEmpty() ? null : values.get(0);
    }

    public boolean keepsConnection() {
        String connection = header("Connection");
        return complete && (connection == null || !connection.toLowerCase(Locale.ROOT).contains("close"));
    }

    /** Reads one response from {@code in}; never throws for what the server sent or did. */
    public static ClientResponse read(InputStream in, boolean answersHead) {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        int status = -1;
        List<String[]> headers = new ArrayList<>();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            String statusLine = line(in, raw);
            if (statusLine == null) {
                return new ClientResponse(-1, headers, "", text(raw), false, "closed before a response");
            }
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                return new ClientResponse(-1, headers, "", text(raw), false, "bad status line: " + statusLine);
            }
            try {
                status = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                return new ClientResponse(-1, headers, "", text(raw), false, "bad status: " + statusLine);
            }
            String line;
            while ((line = line(in, raw)) != null && !line.isEmpty()) {
                if (raw.size() > MAX_HEAD) {
                    return new ClientResponse(status, headers, "", text(raw), false, "head too large");
                }
                int colon = line.indexOf(':');
                if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                    return new ClientResponse(status, headers, "", text(raw), false, "bad header line: " + line);
                }
                headers.add(new String[] { line.substring(0, colon), line.substring(colon + 1).trim() });
            }
            if (line == null) {
                return new ClientResponse(status, headers, "", text(raw), false, "closed in the head");
            }
            ClientResponse partial = new ClientResponse(status, headers, "", text(raw), true, null);
            if (answersHead || status < 200 || status == 204 || status == 304) {
                return partial;
            }
            String encoding = partial.header("Transfer-Encoding");
            String length = partial.header("Content-Length");
            if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
                while (true) {
                    String size = line(in, raw);
                    if (size == null) {
                        return cut(status, headers, body, raw, "closed in a chunk size");
                    }
                    int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                    if (n == 0) {
                        String trailer;
                        while ((trailer = line(in, raw)) != null && !trailer.isEmpty()) {
                            int colon = trailer.indexOf(':');
                            if (colon > 0) {
                                headers.add(new String[] { trailer.substring(0, colon),
                                        trailer.substring(colon + 1).trim() });
                            }
                        }
                        if (trailer == null) {
                            return cut(status, headers, body, raw, "closed in the trailers");
                        }
                        break;
                    }
                    if (!copy(in, n, body, raw) || !"".equals(line(in, raw))) {
                        return cut(status, headers, body, raw, "closed in a chunk");
                    }
                }
            } else if (length != null) {
                if (!copy(in, Long.parseLong(length), body, raw)) {
                    return cut(status, headers, body, raw, "closed before Content-Length bytes");
                }
            } else {
                byte[] rest = in.readAllBytes();
                body.write(rest);
                raw.write(rest);
            }
            return new ClientResponse(status, headers, text(body), text(raw), true, null);
        } catch (IOException | RuntimeException e) {
            return cut(status, headers, body, raw, e.toString());
        }
    }

    private static ClientResponse cut(int status, List<String[]> headers, ByteArrayOutputStream body,
            ByteArrayOutputStream raw, String problem) {
        return new ClientResponse(status, headers, text(body), text(raw), false, problem);
    }

    private static boolean copy(InputStream in, long n, ByteArrayOutputStream body, ByteArrayOutputStream raw)
            throws IOException {
        byte[] buffer = new byte[8192];
        long left = n;
        while (left > 0) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (read < 0) {
                return false;
            }
            body.write(buffer, 0, read);
            raw.write(buffer, 0, read);
            left -= read;
        }
        return true;
    }

    private static String line(InputStream in, ByteArrayOutputStream raw) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            raw.write(b);
            if (b == '\n') {
                String text = text(line);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return null;
    }

    private static String text(ByteArrayOutputStream bytes) {
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }
}
