package io.lb.accesslog;

import java.util.logging.Handler;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.Logger;
import org.jboss.logmanager.handlers.AsyncHandler;

import io.quarkus.scheduler.Scheduled;

/**
 * Writes the access log in blocks instead of a system call per line. The JBoss log manager's console and file
 * handlers flush after every record; behind the asynchronous handler of {@code io.lb.access} (the shipped console
 * one, or a file one configured as docs/observing.md shows) that is one {@code write} per request, on the core the
 * event loops use. Once a second this turns the flush after each record off for the handlers inside the
 * category's asynchronous handlers (handlers added later included) and flushes them, so lines leave in the
 * writer's 8 KiB blocks and within about a second. Synchronous handlers are left as they are; the log manager
 * flushes everything when it closes at shutdown. Flushing runs on a scheduler thread, never on an event loop.
 */
@Singleton
public class AccessLogFlush {

    @Inject
    AccessLog accessLog;

    @Scheduled(identity = "lb-access-log-flush", every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void flush() {
        if (!accessLog.enabled()) {
            return;
        }
        for (Handler handler : Logger.getLogger(AccessLog.CATEGORY).getHandlers()) {
            if (handler instanceof AsyncHandler async) {
                for (Handler nested : async.getHandlers()) {
                    if (nested instanceof ExtHandler ext) {
                        ext.setAutoFlush(false);
                    }
                    nested.flush();
                }
            }
        }
    }
}
