package io.kiepipeline.gateway.telegram;

import java.util.function.Function;
import com.fasterxml.jackson.databind.ObjectMapper;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.telegram.telegrambots.longpolling.TelegramBotsLongPollingApplication;
import org.telegram.telegrambots.longpolling.util.TelegramOkHttpClientFactory;
import org.telegram.telegrambots.meta.TelegramUrl;
import org.telegram.telegrambots.meta.api.methods.updates.GetUpdates;
import org.telegram.telegrambots.meta.exceptions.TelegramApiException;

/** Runs the bot's long polling while the gateway runs. */
public class TelegramPolling implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(TelegramPolling.class);

    /** Decides each long poll's timeout just before it is sent; may wait until polling is safe. */
    @FunctionalInterface
    public interface Lease {
        /** The timeout of the next long poll, at most {@code configured} seconds. */
        int longPollSeconds(int configured) throws InterruptedException;
    }

    /** What the bot asks Telegram for: messages, button taps, and the pre-checkout queries of payments. */
    static final java.util.List<String> ALLOWED_UPDATES = java.util.List.of("message", "callback_query",
            "pre_checkout_query");

    private final TelegramUpdateForwarder bot;
    private volatile Lease lease = configured -> configured;
    private final String token;
    private final TelegramUrl url;
    private final int timeoutSeconds;
    private TelegramBotsLongPollingApplication application;
    private OkHttpClient http;
    private TelegramUpdateForwarder.Session session;
    private java.util.concurrent.ScheduledExecutorService executor;

    public TelegramPolling(TelegramUpdateForwarder bot, String token, TelegramUrl url, int timeoutSeconds) {
        this.bot = bot;
        this.token = token;
        this.url = url;
        this.timeoutSeconds = timeoutSeconds;
    }

    /** Every long poll asks the lease first (the {@link PollerElection}'s), so that none outlives it. */
    public void fencedBy(Lease lease) {
        this.lease = lease;
    }

    /** Started by the {@link PollerElection}, only on the gateway that holds the poller's lease. */
    @Override
    public boolean isAutoStartup() {
        return false;
    }

    @Override
    public synchronized void start() {
        if (application != null) {
            return;
        }
        sessionLogger().setLevel(null);
        // our own client (the library's default timeouts), so that stop() can cancel the long poll in flight
        http = new TelegramOkHttpClientFactory.DefaultOkHttpClientCreator().get();
        OkHttpClient client = http;
        // our own executor, so that stop() can interrupt a batch that waits for Kafka (the library only cancels)
        executor = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().name("telegram-poller").daemon().unstarted(r));
        java.util.concurrent.ScheduledExecutorService pollingThread = executor;
        TelegramUpdateForwarder.Session current = bot.session();
        session = current;
        application = new TelegramBotsLongPollingApplication(ObjectMapper::new, () -> client, () -> pollingThread);
        Lease fence = lease;
        Function<Integer, GetUpdates> getUpdates = lastUpdateId -> {
            int timeout;
            try {
                timeout = fence.longPollSeconds(timeoutSeconds);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("the polling stopped while waiting for its lease", e);
            }
            return new TolerantGetUpdates(lastUpdateId + 1, 100, timeout, ALLOWED_UPDATES, current.raw());
        };
        try {
            application.registerBot(token, () -> url, getUpdates, current);
            log.atInfo().addKeyValue("host", url.getHost()).addKeyValue("port", url.getPort())
                    .log("telegram.polling-started");
        } catch (TelegramApiException e) {
            throw new IllegalStateException("cannot start Telegram long polling", e);
        }
    }

    @Override
    public synchronized void stop() {
        if (application != null) {
            try {
                // the library logs the cancelled poll (or the interrupted wait for a lease) as an ERROR; on a
                // deliberate stop it is not one
                sessionLogger().setLevel(ch.qos.logback.classic.Level.OFF);
                // a batch still waiting for Kafka gives up: its updates stay unconfirmed for the next poller
                session.stop();
                // unregistering stops the bot's session; closing alone leaves a session polling
                application.unregisterBot(token);
                application.close();
                executor.shutdownNow();
                http.dispatcher().cancelAll();
            } catch (Exception e) {
                log.atWarn().addKeyValue("reason", e.getMessage()).log("telegram.polling-stop-failed");
            }
            application = null;
        }
    }

    private static ch.qos.logback.classic.Logger sessionLogger() {
        return (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(
                org.telegram.telegrambots.longpolling.BotSession.class);
    }

    @Override
    public boolean isRunning() {
        return application != null;
    }
}
