package io.lb.health;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.google.protobuf.UnknownFieldSet;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/** The hand-made health messages against protobuf's own encoding of grpc.health.v1 (from grpc-services). */
class GrpcHealthMessagesTest {

    @ParameterizedTest
    @ValueSource(strings = { "", "grpc.testing.SimpleService", "ünïcode.Service", "a-very-long-service-name-that-needs-"
            + "more-than-one-byte-of-varint-length-because-it-is-longer-than-one-hundred-and-twenty-seven-bytes-"
            + "when-it-is-encoded-as-utf-8" })
    void aRequestIsTheFramedProtobufEncodingOfTheService(String service) throws Exception {
        Buffer framed = GrpcHealthMessages.request(service);
        byte[] expected = HealthCheckRequest.newBuilder().setService(service).build().toByteArray();
        assertEquals(0, framed.getByte(0), "not compressed");
        assertEquals(expected.length, framed.getInt(1), "length prefix");
        byte[] message = framed.getBytes(5, framed.length());
        assertArrayEquals(expected, message);
        assertEquals(service, HealthCheckRequest.parseFrom(message).getService());
    }

    @ParameterizedTest
    @EnumSource(value = ServingStatus.class, names = "UNRECOGNIZED", mode = EnumSource.Mode.EXCLUDE)
    void aResponseYieldsItsServingStatus(ServingStatus status) {
        Buffer body = framed(HealthCheckResponse.newBuilder().setStatus(status).build().toByteArray());
        int decoded = GrpcHealthMessages.servingStatus(body);
        assertEquals(status.getNumber(), decoded);
        assertEquals(status.name(), GrpcHealthMessages.statusName(decoded));
    }

    @Test
    void unknownFieldsAreSkipped() {
        HealthCheckResponse response = HealthCheckResponse.newBuilder().setStatus(ServingStatus.SERVING)
                .setUnknownFields(UnknownFieldSet.newBuilder()
                        .addField(2, UnknownFieldSet.Field.newBuilder().addLengthDelimited(
                                com.google.protobuf.ByteString.copyFromUtf8("extra")).build())
                        .addField(3, UnknownFieldSet.Field.newBuilder().addFixed64(7).addFixed32(9).addVarint(300)
                                .build())
                        .build())
                .build();
        assertEquals(GrpcHealthMessages.SERVING, GrpcHealthMessages.servingStatus(framed(response.toByteArray())));
    }

    @Test
    void anEmptyMessageIsUnknownAsProtobufSays() {
        assertEquals(0, GrpcHealthMessages.servingStatus(framed(new byte[0])));
    }

    @Test
    void malformedBodiesAreRefused() {
        byte[] serving = HealthCheckResponse.newBuilder().setStatus(ServingStatus.SERVING).build().toByteArray();
        Buffer compressed = framed(serving);
        compressed.setByte(0, (byte) 1);
        Buffer longerThanBody = framed(serving).setInt(1, serving.length + 1);
        Buffer twoMessages = framed(serving).appendBuffer(framed(serving));
        Buffer truncatedVarint = framed(new byte[] { 0x08, (byte) 0x80 });
        Buffer truncatedField = framed(new byte[] { 0x12, 0x05, 'a' });
        Buffer group = framed(new byte[] { 0x0B });
        for (Buffer bad : new Buffer[] { Buffer.buffer(), Buffer.buffer(new byte[] { 0, 0, 0 }), compressed,
                longerThanBody, twoMessages, truncatedVarint, truncatedField, group }) {
            assertThrows(IllegalArgumentException.class, () -> GrpcHealthMessages.servingStatus(bad),
                    Arrays.toString(bad.getBytes()));
        }
    }

    @Test
    void theVerdictComesFromGrpcStatusThenFromTheAnswer() {
        Buffer serving = framed(HealthCheckResponse.newBuilder().setStatus(ServingStatus.SERVING).build()
                .toByteArray());
        Buffer notServing = framed(HealthCheckResponse.newBuilder().setStatus(ServingStatus.NOT_SERVING).build()
                .toByteArray());
        MultiMap none = MultiMap.caseInsensitiveMultiMap();
        assertTrue(GrpcProbe.verdict(none, trailers("grpc-status", "0"), serving).healthy());
        assertFalse(GrpcProbe.verdict(none, trailers("grpc-status", "0"), notServing).healthy());
        assertEquals("NOT_SERVING", GrpcProbe.verdict(none, trailers("grpc-status", "0"), notServing).detail());
        // trailers-only: the status in the head
        var unimplemented = GrpcProbe.verdict(trailers("grpc-status", "12", "grpc-message", "no Health service"),
                none, Buffer.buffer());
        assertFalse(unimplemented.healthy());
        assertEquals("grpc-status 12 UNIMPLEMENTED: no Health service", unimplemented.detail());
        assertFalse(GrpcProbe.verdict(none, trailers("grpc-status", "5"), serving).healthy(), "NOT_FOUND");
        assertFalse(GrpcProbe.verdict(none, none, serving).healthy(), "no grpc-status at all");
        assertFalse(GrpcProbe.verdict(none, trailers("grpc-status", "0"), Buffer.buffer("junk!")).healthy());
    }

    private static MultiMap trailers(String... namesAndValues) {
        MultiMap map = MultiMap.caseInsensitiveMultiMap();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return map;
    }

    private static Buffer framed(byte[] message) {
        return Buffer.buffer().appendByte((byte) 0).appendInt(message.length).appendBytes(message);
    }
}
