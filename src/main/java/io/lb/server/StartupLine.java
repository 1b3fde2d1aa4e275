package io.lb.server;

import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Names the traffic port's addresses in Quarkus' startup line ("... started in 1.2s. Listening on: ..."), which
 * lists only the listeners of Quarkus' own HTTP server: that line's text is set by Quarkus' HTTP extension at
 * build-recorded start-up code, and Quarkus has no API through which an application adds a listener of its own.
 * So a filter on the {@code io.quarkus} logger, which writes that line, fills the empty address list in it once and
 * then removes itself. The filter works on the record's arguments only (no change of log format or handlers);
 * {@code StartupLineIT} fails if an upgrade changes the line so that the addresses are missing.
 */
final class StartupLine implements Filter {

    private static final String LISTENING_ON = "Listening on: ";

    private final Logger logger;
    private final Filter previous;
    private final String addresses;

    private StartupLine(Logger logger, String addresses) {
        this.logger = logger;
        this.previous = logger.getFilter();
        this.addresses = addresses;
    }

    /** Fills {@code addresses} into the coming startup line. */
    static void name(String addresses) {
        Logger logger = Logger.getLogger("io.quarkus");
        logger.setFilter(new StartupLine(logger, addresses));
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        Object[] parameters = record.getParameters();
        if (parameters != null && parameters.length > 0 && parameters[parameters.length - 1] instanceof String info
                && info.startsWith(LISTENING_ON)) {
            parameters = parameters.clone();
            parameters[parameters.length - 1] = withAddresses(info);
            record.setParameters(parameters);
            logger.setFilter(previous);
        }
        return previous == null || previous.isLoggable(record);
    }

    /** "Listening on: . Management interface listening on ..." with the addresses after the colon. */
    private String withAddresses(String info) {
        String rest = info.substring(LISTENING_ON.length());
        return rest.isEmpty() || rest.startsWith(".") ? LISTENING_ON + addresses + rest : info;
    }
}
