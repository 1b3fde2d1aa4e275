package io.lb.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.netty.util.AsciiString;

/**
 * The header names backends send most, each one shared instance in the case it is spelled: the decoder hands out
 * these instead of a new name (and its bytes) per header per response. A name is matched byte for byte, so that
 * the client sees each name as the backend spelled it.
 */
public final class KnownHeaderNames {

    private static final String[] CANONICAL = { "Date", "Server", "Content-Type", "Content-Length", "Connection",
            "Keep-Alive", "Transfer-Encoding", "Cache-Control", "ETag", "Last-Modified", "Accept-Ranges", "Vary",
            "Expires", "Location", "Set-Cookie", "Content-Encoding", "Age", "Pragma", "X-Request-Id",
            "Strict-Transport-Security", "X-Content-Type-Options", "Access-Control-Allow-Origin" };
    private static final int LONGEST = 32;
    /** By length: the few names of each length, each canonical one followed by its lower-case twin. */
    private static final AsciiString[][] BY_LENGTH = byLength();

    private KnownHeaderNames() {
    }

    /** The shared name for these bytes, or null if they spell none. */
    static AsciiString lookUp(byte[] bytes, int start, int length) {
        if (length >= LONGEST) {
            return null;
        }
        for (AsciiString candidate : BY_LENGTH[length]) {
            if (sameBytes(candidate, bytes, start, length)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * The lower-case twin of a name this class handed out, or {@code name} itself. For an HTTP/2 message, whose
     * header map lower-cases (and so copies) every name put in it that is not a lower-case AsciiString already.
     */
    public static CharSequence inLowerCase(CharSequence name) {
        int length = name.length();
        if (length < LONGEST && name instanceof AsciiString) {
            AsciiString[] candidates = BY_LENGTH[length];
            for (int i = 0; i < candidates.length; i += 2) {
                if (candidates[i] == name) {
                    return candidates[i + 1];
                }
            }
        }
        return name;
    }

    private static boolean sameBytes(AsciiString name, byte[] bytes, int start, int length) {
        byte[] own = name.array();
        int offset = name.arrayOffset();
        for (int i = 0; i < length; i++) {
            if (own[offset + i] != bytes[start + i]) {
                return false;
            }
        }
        return true;
    }

    private static AsciiString[][] byLength() {
        List<List<AsciiString>> lists = new ArrayList<>();
        for (int i = 0; i < LONGEST; i++) {
            lists.add(new ArrayList<>());
        }
        for (String name : CANONICAL) {
            lists.get(name.length()).add(AsciiString.cached(name));
            lists.get(name.length()).add(AsciiString.cached(name.toLowerCase(Locale.ROOT)));
        }
        AsciiString[][] table = new AsciiString[LONGEST][];
        for (int i = 0; i < LONGEST; i++) {
            table[i] = lists.get(i).toArray(new AsciiString[0]);
        }
        return table;
    }
}
