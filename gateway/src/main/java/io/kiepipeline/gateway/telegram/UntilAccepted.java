package io.kiepipeline.gateway.telegram;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.telegram.telegrambots.meta.exceptions.TelegramApiException;

/**
 * A setting the gateway gives Telegram at start (its webhook, its commands): tried at once in the background and
 * again every {@code pause} until Telegram takes it, so that a gateway starting while Telegram is away still starts.
 * Each try is a scheduled task; nothing sleeps.
 */
public class UntilAccepted implements SmartLifecycle {
    /** One try: returns normally when Telegram took the setting. */
    @FunctionalInterface
    interface Call {
        void run() throws TelegramApiException;
    }

    private static final Logger log = LoggerFactory.getLogger(UntilAccepted.class);

    private final String step;
    private final Call call;
    private final Duration pause;
    private ScheduledExecutorService scheduler;

    /** {@code step}: the log step, {@code telegram.<step>-set} on success and {@code -not-set} on a failed try. */
    UntilAccepted(String step, Call call, Duration pause) {
        this.step = step;
        this.call = call;
        this.pause = pause;
    }

    @Override
    public synchronized void start() {
        if (scheduler == null) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform()
                    .name("telegram-" + step).daemon().unstarted(r));
            scheduler.execute(this::attempt);
        }
    }

    private void attempt() {
        try {
            call.run();
            log.atInfo().log("telegram." + step + "-set");
        } catch (TelegramApiException | RuntimeException e) {
            log.atWarn().addKeyValue("reason", e.getMessage()).addKeyValue("retryInSeconds", pause.toSeconds())
                    .log("telegram." + step + "-not-set");
            synchronized (this) {
                if (scheduler != null && !scheduler.isShutdown()) {
                    scheduler.schedule(this::attempt, pause.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}
