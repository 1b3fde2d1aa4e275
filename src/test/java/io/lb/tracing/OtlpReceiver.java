package io.lb.tracing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

import org.awaitility.Awaitility;

import com.google.protobuf.ByteString;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.lb.testing.TestBackend;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/**
 * An OTLP trace receiver on loopback, as a collector would be: gRPC (grpc-java's server, the collector's
 * {@code TraceService}) or http/protobuf (a Vert.x server taking {@code POST /v1/traces}). It decodes what arrives
 * with the OpenTelemetry protocol's own classes and keeps every span, with the name of the scope that reported it.
 */
public final class OtlpReceiver implements AutoCloseable {

    /** A span as it arrived, and the instrumentation scope it came under. */
    public record Received(Span span, String scope) {

        public String traceId() {
            return hex(span.getTraceId());
        }

        public String spanId() {
            return hex(span.getSpanId());
        }

        public String parentSpanId() {
            return hex(span.getParentSpanId());
        }

        public Span.SpanKind kind() {
            return span.getKind();
        }

        /** The attribute's value as a string (numbers and booleans too), or null. */
        public String attribute(String key) {
            for (KeyValue attribute : span.getAttributesList()) {
                if (attribute.getKey().equals(key)) {
                    AnyValue value = attribute.getValue();
                    return switch (value.getValueCase()) {
                        case STRING_VALUE -> value.getStringValue();
                        case INT_VALUE -> Long.toString(value.getIntValue());
                        case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
                        case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
                        default -> value.toString();
                    };
                }
            }
            return null;
        }

        public boolean hasEvent(String name) {
            return span.getEventsList().stream().anyMatch(event -> event.getName().equals(name));
        }

        @Override
        public String toString() {
            return kind() + " " + span.getName() + " trace=" + traceId() + " span=" + spanId() + " parent="
                    + parentSpanId() + " scope=" + scope + " " + span.getAttributesList().stream()
                            .map(kv -> kv.getKey() + "=" + attribute(kv.getKey())).toList();
        }
    }

    private final List<Received> spans = new CopyOnWriteArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private Server grpc;
    private HttpServer http;
    private int port;

    private OtlpReceiver() {
    }

    public static OtlpReceiver grpc() {
        OtlpReceiver receiver = new OtlpReceiver();
        try {
            receiver.grpc = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .addService(new TraceServiceGrpc.TraceServiceImplBase() {
                        @Override
                        public void export(ExportTraceServiceRequest request,
                                StreamObserver<ExportTraceServiceResponse> response) {
                            receiver.record("grpc", request);
                            response.onNext(ExportTraceServiceResponse.getDefaultInstance());
                            response.onCompleted();
                        }
                    })
                    .build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        receiver.port = receiver.grpc.getPort();
        return receiver;
    }

    public static OtlpReceiver httpProtobuf() {
        OtlpReceiver receiver = new OtlpReceiver();
        receiver.http = TestBackend.vertx().createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(request -> {
                    if (request.method() != HttpMethod.POST || !request.path().equals("/v1/traces")) {
                        request.response().setStatusCode(404).end();
                        return;
                    }
                    String type = request.getHeader("Content-Type");
                    boolean gzip = "gzip".equalsIgnoreCase(request.getHeader("Content-Encoding"));
                    request.body().onSuccess(body -> {
                        try {
                            receiver.record("http " + type, ExportTraceServiceRequest.parseFrom(bytes(body, gzip)));
                            request.response().putHeader("Content-Type", "application/x-protobuf")
                                    .end(Buffer.buffer(ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
                        } catch (IOException e) {
                            request.response().setStatusCode(400).end(e.toString());
                        }
                    });
                });
        try {
            receiver.http = receiver.http.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        receiver.port = receiver.http.actualPort();
        return receiver;
    }

    /** What quarkus.otel.exporter.otlp.endpoint is set to. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** How each export arrived: {@code grpc}, or {@code http} and its content type. */
    public List<String> requests() {
        return requests;
    }

    public List<Received> spans() {
        return spans;
    }

    public List<Received> spans(Predicate<Received> matching) {
        return spans.stream().filter(matching).toList();
    }

    public List<Received> trace(String traceId) {
        return spans(span -> span.traceId().equals(traceId));
    }

    /** Waits (a bounded time) until {@code count} spans match, and returns them. */
    public List<Received> await(Predicate<Received> matching, int count) {
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> spans(matching).size() >= count);
        return spans(matching);
    }

    @Override
    public void close() {
        if (grpc != null) {
            grpc.shutdownNow();
        }
        if (http != null) {
            http.close();
        }
    }

    private void record(String how, ExportTraceServiceRequest request) {
        requests.add(how);
        for (ResourceSpans resource : request.getResourceSpansList()) {
            for (ScopeSpans scope : resource.getScopeSpansList()) {
                for (Span span : scope.getSpansList()) {
                    spans.add(new Received(span, scope.getScope().getName()));
                }
            }
        }
    }

    private static byte[] bytes(Buffer body, boolean gzip) throws IOException {
        if (!gzip) {
            return body.getBytes();
        }
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body.getBytes()))) {
            return in.readAllBytes();
        }
    }

    static String hex(ByteString id) {
        return HexFormat.of().formatHex(id.toByteArray());
    }
}
