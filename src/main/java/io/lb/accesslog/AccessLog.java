package io.lb.accesslog;

import java.util.Locale;
import java.util.Optional;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.lb.config.InvalidConfigException;
import io.lb.config.LbConfig;
import io.lb.proxy.Exchange;
import io.lb.proxy.ExchangeListener;

/**
 * One line per client request, written when its exchange ends (success, error, client abort, rejection), to the
 * log category {@code io.lb.access} through the JBoss log manager: users route it with ordinary Quarkus logging
 * configuration (console, file, JSON, syslog). application.properties gives the category its own asynchronous
 * console handler that discards lines rather than wait when its queue is full, so that a stalled log never stalls
 * an event loop. On with {@code lb.access-log.enabled=true} or {@code quarkus.http.access-log.enabled=true}.
 */
@Singleton
public class AccessLog implements ExchangeListener {

    public static final String CATEGORY = "io.lb.access";
    private static final Logger LOG = Logger.getLogger(CATEGORY);

    private final boolean enabled;
    private final AccessLogFormat format;

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
        if (enabled && LOG.isInfoEnabled()) {
            LOG.info(format.line(exchange));
        }
    }
}
