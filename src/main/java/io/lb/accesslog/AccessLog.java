package io.lb.accesslog;

import java.util.Locale;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.lb.config.InvalidConfigException;
import io.lb.config.LbConfig;
import io.lb.proxy.Exchange;
import io.lb.proxy.ExchangeListener;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * One line per client request, written when its exchange ends (success, error, client abort, rejection), to the
 * log category {@code io.lb.access} through the JBoss log manager: users route it with ordinary Quarkus logging
 * configuration (console, file, syslog). application.properties gives the category its own asynchronous console
 * handler that discards rather than waits when its queue is full, so that a stalled log never stalls an event loop.
 * On with {@code lb.access-log.enabled=true} or {@code quarkus.http.access-log.enabled=true}.
 * <p>
 * Each event loop appends its lines to a block of its own and hands the block to the logger as one record, every
 * {@link #FLUSH_MILLIS} ms or once it holds {@link #BLOCK_CHARS} characters: a log record, a queue hand-off and a
 * wake-up of the writer thread per request cost the event loop a fifth of its throughput. A record is therefore
 * several lines, each ending in a line break but the last (the handler's {@code %n} ends it).
 */
@Singleton
public class AccessLog implements ExchangeListener {

    public static final String CATEGORY = "io.lb.access";
    static final long FLUSH_MILLIS = 100;
    static final int BLOCK_CHARS = 16 * 1024;
    private static final Logger LOG = Logger.getLogger(CATEGORY);

    private final boolean enabled;
    private final AccessLogFormat format;
    private final ThreadLocal<Block> blocks = new ThreadLocal<>();
    /** Every event loop's block, to flush and stop at shutdown. */
    private final Queue<Block> allBlocks = new ConcurrentLinkedQueue<>();

    /** One event loop's lines not yet handed to the logger; touched only on that event loop. */
    private static final class Block {
        final StringBuilder lines = new StringBuilder(BLOCK_CHARS + 1024);
        final Context context;
        long timer;

        Block(Context context) {
            this.context = context;
        }

        void flush() {
            if (lines.length() > 0) {
                lines.setLength(lines.length() - 1); // the last line break: the handler's format adds one
                LOG.info(lines.toString());
                lines.setLength(0);
            }
        }
    }

    @Inject
    public AccessLog(LbConfig config,
            @ConfigProperty(name = "quarkus.http.access-log.enabled") Optional<Boolean> quarkusAccessLog) {
        this.enabled = config.accessLog().enabled() || quarkusAccessLog.orElse(false);
        this.format = switch (config.accessLog().format().strip().toLowerCase(Locale.ROOT)) {
            case "text" -> new TextFormat();
            case "json" -> new JsonFormat();
            default -> throw new InvalidConfigException("lb.access-log.format: invalid value '"
                    + config.accessLog().format() + "': use text or json");
        };
    }

    /** Whether a line is written per request. */
    public boolean enabled() {
        return enabled;
    }

    @Override
    public void exchangeEnded(Exchange exchange) {
        if (!enabled || !LOG.isInfoEnabled()) {
            return;
        }
        Block block = blocks.get();
        if (block == null) {
            block = newBlock();
            if (block == null) { // not on an event loop: no timer to flush a block, so the line goes alone
                LOG.info(format.line(exchange));
                return;
            }
        }
        format.appendLine(block.lines, exchange);
        block.lines.append('\n');
        if (block.lines.length() >= BLOCK_CHARS) {
            block.flush();
        }
    }

    private Block newBlock() {
        Context context = Vertx.currentContext();
        if (context == null || !Context.isOnEventLoopThread()) {
            return null;
        }
        Block block = new Block(context);
        block.timer = context.owner().setPeriodic(FLUSH_MILLIS, ignored -> block.flush());
        blocks.set(block);
        allBlocks.add(block);
        return block;
    }

    /** Hands every event loop's last lines to the logger, on its own event loop, and stops the timers. */
    void onStop(@Observes ShutdownEvent event) {
        for (Block block : allBlocks) {
            block.context.runOnContext(ignored -> {
                block.context.owner().cancelTimer(block.timer);
                block.flush();
            });
        }
    }
}
