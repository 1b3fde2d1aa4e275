package io.lb.client;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The allocator of every connection the balancer serves or opens: what a handler allocates to write (an HTTP
 * encoder's head, an HTTP/2 frame, a TLS record) comes as a pooled direct buffer, ready for the socket and for
 * OpenSSL; heap buffers stay unpooled, for copies that outlive the I/O. Vert.x' own channel allocator hands
 * encoders unpooled heap buffers, which the transport (or the TLS handler) then copies into direct memory once
 * more for every response. Received bytes come from the same pool either way, and Vert.x copies them out of a
 * pooled buffer before it hands them to application code, as it does today.
 */
final class WriteBufferAllocator extends AbstractByteBufAllocator {

    static final WriteBufferAllocator INSTANCE = new WriteBufferAllocator(VertxInternals.pooledDirect(),
            VertxInternals.unpooledHeap());

    private final ByteBufAllocator direct;
    private final ByteBufAllocator heap;

    private WriteBufferAllocator(ByteBufAllocator direct, ByteBufAllocator heap) {
        super(true);
        this.direct = direct;
        this.heap = heap;
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return direct.directBuffer(initialCapacity, maxCapacity);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return heap.heapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return true;
    }
}
