package io.lb.health;

import java.nio.charset.StandardCharsets;

import io.vertx.core.buffer.Buffer;

/**
 * The two messages of {@code grpc.health.v1.Health/Check} on the wire, without a protobuf runtime: a gRPC message
 * is a 5-byte prefix (a compression flag, then the length, big-endian) and the protobuf bytes;
 * {@code HealthCheckRequest} is {@code string service = 1}, {@code HealthCheckResponse} is
 * {@code ServingStatus status = 1} (UNKNOWN 0, SERVING 1, NOT_SERVING 2, SERVICE_UNKNOWN 3).
 */
final class GrpcHealthMessages {

    static final int SERVING = 1;

    private static final int PREFIX = 5;
    private static final int WIRE_VARINT = 0;
    private static final int WIRE_FIXED64 = 1;
    private static final int WIRE_LENGTH_DELIMITED = 2;
    private static final int WIRE_FIXED32 = 5;
    private static final String[] STATUS_NAMES = { "UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN" };
    private static final String[] CODE_NAMES = { "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
            "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
            "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE",
            "DATA_LOSS", "UNAUTHENTICATED" };

    private GrpcHealthMessages() {
    }

    /** A framed, uncompressed {@code HealthCheckRequest}; an empty service (proto3's default) is left out. */
    static Buffer request(String service) {
        byte[] name = service.getBytes(StandardCharsets.UTF_8);
        Buffer message = Buffer.buffer(name.length + 6);
        if (name.length > 0) {
            message.appendByte((byte) (1 << 3 | WIRE_LENGTH_DELIMITED));
            appendVarint(message, name.length);
            message.appendBytes(name);
        }
        return Buffer.buffer(PREFIX + message.length()).appendByte((byte) 0).appendInt(message.length())
                .appendBuffer(message);
    }

    /**
     * The status of the one framed {@code HealthCheckResponse} that is the whole of {@code body}; a response without
     * the field is UNKNOWN (proto3's default), unknown fields are skipped.
     *
     * @throws IllegalArgumentException if the body is not exactly one uncompressed, well-formed message
     */
    static int servingStatus(Buffer body) {
        if (body.length() < PREFIX) {
            throw new IllegalArgumentException("no message (" + body.length() + " bytes)");
        }
        if (body.getByte(0) != 0) {
            throw new IllegalArgumentException("compressed message");
        }
        long length = body.getUnsignedInt(1);
        if (length != body.length() - PREFIX) {
            throw new IllegalArgumentException("message of " + length + " bytes in a body of " + body.length());
        }
        Reader reader = new Reader(body, PREFIX);
        int status = 0;
        while (reader.position < body.length()) {
            long tag = reader.varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == 1 && wire == WIRE_VARINT) {
                status = (int) reader.varint();
            } else {
                reader.skip(wire);
            }
        }
        return status;
    }

    /** SERVING, NOT_SERVING...; another value as its number. */
    static String statusName(int status) {
        return status >= 0 && status < STATUS_NAMES.length ? STATUS_NAMES[status] : "status " + status;
    }

    /** A gRPC status code with its name, e.g. {@code 12 UNIMPLEMENTED}. */
    static String codeName(String code) {
        try {
            int value = Integer.parseInt(code.strip());
            return value >= 0 && value < CODE_NAMES.length ? value + " " + CODE_NAMES[value] : code;
        } catch (NumberFormatException e) {
            return code;
        }
    }

    private static void appendVarint(Buffer buffer, int value) {
        int rest = value;
        while ((rest & ~0x7F) != 0) {
            buffer.appendByte((byte) ((rest & 0x7F) | 0x80));
            rest >>>= 7;
        }
        buffer.appendByte((byte) rest);
    }

    /** Reads protobuf's wire format; every read past the end is a malformed message. */
    private static final class Reader {
        private final Buffer bytes;
        int position;

        Reader(Buffer bytes, int position) {
            this.bytes = bytes;
            this.position = position;
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte next = next();
                value |= (long) (next & 0x7F) << shift;
                if (next >= 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("malformed varint");
        }

        void skip(int wire) {
            switch (wire) {
                case WIRE_VARINT -> varint();
                case WIRE_FIXED64 -> advance(8);
                case WIRE_LENGTH_DELIMITED -> advance(varint());
                case WIRE_FIXED32 -> advance(4);
                default -> throw new IllegalArgumentException("unsupported wire type " + wire);
            }
        }

        private void advance(long count) {
            if (count < 0 || count > bytes.length() - position) {
                throw new IllegalArgumentException("truncated message");
            }
            position += (int) count;
        }

        private byte next() {
            if (position >= bytes.length()) {
                throw new IllegalArgumentException("truncated message");
            }
            return bytes.getByte(position++);
        }
    }
}
