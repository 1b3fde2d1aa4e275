package io.lb.proxy;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.jboss.logging.Logger;

import io.lb.config.InvalidConfigException;
import io.lb.config.LbConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * One route's rate limit: a token bucket per client (its address after trusted proxies, or a header's value) that
 * fills at {@code requests-per-second} up to {@code burst}. Local to this replica, as Envoy's local rate limit and
 * Traefik's middleware are. Memory stays bounded: a bucket that has filled up again is the same as no bucket, so
 * idle buckets are dropped ({@link #evictIdle()}), and beyond {@link #MAX_KEYS} clients a new one is not limited
 * until room is made (logged).
 */
final class RateLimiter {

    static final int MAX_KEYS = 100_000;
    private static final Logger LOG = Logger.getLogger(RateLimiter.class);

    private final String key;
    private final double tokensPerNano;
    private final double burst;
    /** Null: the client's address. */
    private final CharSequence header;
    private final ForwardedHeaders forwarded;
    private final LongSupplier clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private volatile boolean warnedFull;

    /** Tokens left and when they were counted; changed under its own lock. */
    private static final class Bucket {
        double tokens;
        long updatedNanos;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updatedNanos = now;
        }
    }

    RateLimiter(String key, double requestsPerSecond, int burst, CharSequence header, ForwardedHeaders forwarded,
            LongSupplier clock) {
        this.key = key;
        this.tokensPerNano = requestsPerSecond / 1e9;
        this.burst = burst;
        this.header = header;
        this.forwarded = forwarded;
        this.clock = clock;
    }

    /** The route's limiter, or null when it has none; a bad value fails, naming the key under {@code prefix}. */
    static RateLimiter of(String prefix, LbConfig.RateLimit settings, ForwardedHeaders forwarded) {
        if (settings.requestsPerSecond().isEmpty()) {
            if (settings.burst().isPresent()) {
                throw new InvalidConfigException(prefix + "burst: invalid value '" + settings.burst().get()
                        + "': needs " + prefix + "requests-per-second");
            }
            return null;
        }
        double rate = settings.requestsPerSecond().get();
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new InvalidConfigException(prefix + "requests-per-second: invalid value '" + rate
                    + "': must be a positive number");
        }
        int burst = settings.burst().orElse((int) Math.max(1, Math.ceil(rate)));
        if (burst < 1) {
            throw new InvalidConfigException(prefix + "burst: invalid value '" + burst + "': must be at least 1");
        }
        String keyText = settings.key().strip();
        CharSequence header = null;
        if (keyText.toLowerCase(Locale.ROOT).startsWith("header:")) {
            String name = keyText.substring("header:".length()).strip();
            if (name.isEmpty() || !name.chars().allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
                throw new InvalidConfigException(prefix + "key: invalid value '" + settings.key()
                        + "': header:<Name> needs a header name");
            }
            header = HttpHeaders.createOptimized(name);
        } else if (!keyText.equalsIgnoreCase("client")) {
            throw new InvalidConfigException(prefix + "key: invalid value '" + settings.key()
                    + "': use client or header:<Name>");
        }
        return new RateLimiter(prefix, rate, burst, header, forwarded, System::nanoTime);
    }

    /**
     * Takes a token for the request's client: 0 when it may pass, else the seconds until a token will be there (for
     * Retry-After, at least 1).
     */
    long acquire(HttpServerRequest request) {
        String client = header == null ? forwarded.originalClient(request) : request.headers().get(header);
        return acquire(client == null ? "" : client);
    }

    long acquire(String client) {
        long now = clock.getAsLong();
        Bucket bucket = buckets.get(client);
        if (bucket == null) {
            if (buckets.size() >= MAX_KEYS) {
                evictIdle();
                if (buckets.size() >= MAX_KEYS) {
                    if (!warnedFull) {
                        warnedFull = true;
                        LOG.warnf("%s: %d clients have buckets: new clients are not limited until some go idle",
                                key, buckets.size());
                    }
                    return 0;
                }
            }
            bucket = buckets.computeIfAbsent(client, ignored -> new Bucket(burst, now));
        }
        synchronized (bucket) {
            double tokens = Math.min(burst, bucket.tokens + (now - bucket.updatedNanos) * tokensPerNano);
            bucket.updatedNanos = now;
            if (tokens >= 1) {
                bucket.tokens = tokens - 1;
                return 0;
            }
            bucket.tokens = tokens;
            return Math.max(1, (long) Math.ceil((1 - tokens) / tokensPerNano / 1e9));
        }
    }

    /** Drops the buckets that have filled up again: a full bucket limits exactly as no bucket does. */
    void evictIdle() {
        long now = clock.getAsLong();
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext();) {
            Bucket bucket = it.next();
            synchronized (bucket) {
                if (bucket.tokens + (now - bucket.updatedNanos) * tokensPerNano >= burst) {
                    it.remove();
                }
            }
        }
        if (buckets.size() < MAX_KEYS) {
            warnedFull = false;
        }
    }

    int clients() {
        return buckets.size();
    }
}
