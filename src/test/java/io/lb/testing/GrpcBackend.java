package io.lb.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;

/**
 * A real gRPC server (grpc-java on Netty) on a random loopback port: grpc-java's test {@code SimpleService} (unary,
 * client, server and bidirectional streaming) and the standard health service, whose statuses a test sets. Every
 * answer starts with the backend's name. Requests steer the unary and server-streaming methods:
 * <ul>
 * <li>unary {@code fail}: FAILED_PRECONDITION with trailing metadata {@code x-reason: asked-to-fail};</li>
 * <li>unary {@code slow:<ms>}: answers after that delay (or not at all, if the call is cancelled first);</li>
 * <li>server streaming {@code count:<n>}: n messages; {@code forever}: a message every 20 ms until cancelled.</li>
 * </ul>
 */
public final class GrpcBackend implements AutoCloseable {

    public static final Metadata.Key<String> REASON = Metadata.Key.of("x-reason", Metadata.ASCII_STRING_MARSHALLER);
    private static final ScheduledExecutorService TIMERS = Executors.newScheduledThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "grpc-backend-timer");
        thread.setDaemon(true);
        return thread;
    });

    private final String name;
    private final HealthStatusManager health = new HealthStatusManager();
    private final AtomicInteger healthChecks = new AtomicInteger();
    private final AtomicInteger cancelled = new AtomicInteger();
    private final List<Deadline> deadlines = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Server server;
    private final int port;

    private GrpcBackend(String name) {
        this.name = name;
        ServerInterceptor countChecks = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                if (call.getMethodDescriptor().getFullMethodName().equals(HealthGrpc.getCheckMethod()
                        .getFullMethodName())) {
                    healthChecks.incrementAndGet();
                }
                return next.startCall(call, headers);
            }
        };
        try {
            this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .addService(new Simple())
                    .addService(ServerInterceptors.intercept(health.getHealthService(), countChecks))
                    .build().start();
            this.port = server.getPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a server whose overall health is SERVING and whose SimpleService health is not set (NOT_FOUND). */
    public static GrpcBackend start(String name) {
        return new GrpcBackend(name);
    }

    public String name() {
        return name;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The server's overall health ({@code service: ""}). */
    public void serving(boolean serving) {
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES,
                serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
    }

    /** The health of {@code grpc.testing.SimpleService}. */
    public void simpleServiceServing(boolean serving) {
        health.setStatus(SimpleServiceGrpc.SERVICE_NAME, serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
    }

    /** Health/Check calls received. */
    public int healthChecks() {
        return healthChecks.get();
    }

    /** Calls of SimpleService whose client went away (cancelled, deadline passed, stream reset) before their end. */
    public int cancelledCalls() {
        return cancelled.get();
    }

    /** The deadline each unary call arrived with (from {@code grpc-timeout}), or none. */
    public List<Deadline> deadlines() {
        return new ArrayList<>(deadlines);
    }

    /** Dies at once: open streams are reset, the connections closed. */
    public void kill() {
        server.shutdownNow();
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private SimpleResponse answer(String text) {
        return SimpleResponse.newBuilder().setResponseMessage(name + ":" + text).build();
    }

    private final class Simple extends SimpleServiceGrpc.SimpleServiceImplBase {

        @Override
        public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
            ServerCallStreamObserver<SimpleResponse> call = (ServerCallStreamObserver<SimpleResponse>) responses;
            Deadline deadline = Context.current().getDeadline();
            if (deadline != null) {
                deadlines.add(deadline);
            }
            String message = request.getRequestMessage();
            if (message.equals("fail")) {
                Metadata trailers = new Metadata();
                trailers.put(REASON, "asked-to-fail");
                responses.onError(Status.FAILED_PRECONDITION.withDescription(name + " was asked to fail")
                        .asRuntimeException(trailers));
            } else if (message.startsWith("slow:")) {
                ScheduledFuture<?> later = TIMERS.schedule(() -> {
                    responses.onNext(answer(message));
                    responses.onCompleted();
                }, Long.parseLong(message.substring(5)), TimeUnit.MILLISECONDS);
                call.setOnCancelHandler(() -> {
                    later.cancel(false);
                    cancelled.incrementAndGet();
                });
            } else {
                responses.onNext(answer(message));
                responses.onCompleted();
            }
        }

        @Override
        public void serverStreamingRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
            ServerCallStreamObserver<SimpleResponse> call = (ServerCallStreamObserver<SimpleResponse>) responses;
            String message = request.getRequestMessage();
            if (message.equals("forever")) {
                AtomicInteger sent = new AtomicInteger();
                ScheduledFuture<?> ticks = TIMERS.scheduleAtFixedRate(() -> {
                    synchronized (call) {
                        if (!call.isCancelled()) {
                            call.onNext(answer(Integer.toString(sent.getAndIncrement())));
                        }
                    }
                }, 0, 20, TimeUnit.MILLISECONDS);
                call.setOnCancelHandler(() -> {
                    ticks.cancel(false);
                    cancelled.incrementAndGet();
                });
                return;
            }
            int count = Integer.parseInt(message.substring("count:".length()));
            for (int i = 0; i < count; i++) {
                responses.onNext(answer(Integer.toString(i)));
            }
            responses.onCompleted();
        }

        @Override
        public StreamObserver<SimpleRequest> clientStreamingRpc(StreamObserver<SimpleResponse> responses) {
            StringBuilder all = new StringBuilder();
            return new StreamObserver<>() {
                @Override
                public void onNext(SimpleRequest request) {
                    all.append(request.getRequestMessage());
                }

                @Override
                public void onError(Throwable failure) {
                    cancelled.incrementAndGet();
                }

                @Override
                public void onCompleted() {
                    responses.onNext(answer(all.toString()));
                    responses.onCompleted();
                }
            };
        }

        @Override
        public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> responses) {
            return new StreamObserver<>() {
                @Override
                public void onNext(SimpleRequest request) {
                    responses.onNext(answer(request.getRequestMessage()));
                }

                @Override
                public void onError(Throwable failure) {
                    cancelled.incrementAndGet();
                }

                @Override
                public void onCompleted() {
                    responses.onCompleted();
                }
            };
        }
    }
}
