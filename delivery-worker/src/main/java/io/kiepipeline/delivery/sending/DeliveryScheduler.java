package io.kiepipeline.delivery.sending;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Sends what the consumer recorded. One loop claims due messages in a short transaction, hands each to a sender
 * thread, which calls Telegram with no transaction and no connection held and then records the outcome in a second
 * short transaction. A chat that must wait (429, an outage) has a due time in the future; nothing sleeps on its
 * behalf, so other chats go on. The loop wakes when the consumer commits, when a send ends, and every
 * {@code schedulerPeriod} otherwise (for due retries and for work written by another instance).
 */
@Component
public class DeliveryScheduler implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(DeliveryScheduler.class);

    private final DeliveryStore store;
    private final ChatCommands chatCommands;
    private final TelegramSender sender;
    private final TelegramSettings settings;
    private final Clock clock;
    private final boolean autoStart;
    private final Counter possibleDuplicates;
    private final MeterRegistry registry;
    private final AtomicInteger possibleDuplicateCount = new AtomicInteger();
    private final Semaphore wake = new Semaphore(0);
    private volatile Semaphore free;
    private volatile ExecutorService senders;
    private volatile Thread loop;
    private volatile boolean running;

    DeliveryScheduler(DeliveryStore store, ChatCommands chatCommands, TelegramSender sender, TelegramSettings settings,
                      Clock clock, ObjectProvider<MeterRegistry> meters,
                      io.kiepipeline.delivery.DeliverySettings deliverySettings) {
        boolean autoStart = deliverySettings.schedulerAutoStart();
        this.store = store;
        this.chatCommands = chatCommands;
        chatCommands.onCommit(this::wakeUp);
        this.sender = sender;
        this.settings = settings;
        this.clock = clock;
        this.autoStart = autoStart;
        MeterRegistry registry = meters.getIfAvailable();
        this.registry = registry;
        this.possibleDuplicates = registry == null ? null : Counter.builder("pipeline.reconciler.repairs")
                .tag("kind", "delivery_lease_expired")
                .description("state repaired by a timer or reconciler").register(registry);
    }

    /** Something may be due now (a consumer committed a delivery): look at once instead of at the next period. */
    public void wakeUp() {
        wake.release();
    }

    /** Messages re-sent after an expired lease since start (also the Micrometer counter delivery.possible.duplicates). */
    public int possibleDuplicates() {
        return possibleDuplicateCount.get();
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        free = new Semaphore(settings.senders());
        AtomicInteger n = new AtomicInteger();
        senders = Executors.newFixedThreadPool(settings.senders(),
                r -> Thread.ofPlatform().name("delivery-sender-" + n.incrementAndGet()).daemon().unstarted(r));
        loop = Thread.ofPlatform().name("delivery-scheduler").daemon().start(this::run);
        log.atInfo().addKeyValue("senders", settings.senders()).addKeyValue("patience", settings.patience())
                .log("delivery.scheduler-started");
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        wake.release();
        try {
            loop.join(5_000);
            senders.shutdown();
            // a send in flight finishes and records its outcome; one that does not is retried after its lease
            if (!senders.awaitTermination(10, TimeUnit.SECONDS)) {
                senders.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public boolean isAutoStartup() {
        return autoStart;
    }

    private void run() {
        while (running) {
            int claimed = 0;
            try {
                int capacity = Math.min(free.availablePermits(), settings.batchSize());
                if (capacity > 0) {
                    // the bot's answers first: a person is waiting on them, and each is one short call
                    claimed = dispatchCommands(chatCommands.claim(capacity, clock.instant()));
                }
                capacity = Math.min(free.availablePermits(), settings.batchSize());
                if (capacity > 0) {
                    claimed += dispatch(store.claim(capacity, clock.instant()));
                }
            } catch (RuntimeException e) {
                log.atWarn().addKeyValue("reason", String.valueOf(e.getMessage()))
                        .log("delivery.claim-failed; retrying on the next period");
            }
            if (claimed == 0 || free.availablePermits() == 0) {
                try {
                    wake.tryAcquire(settings.schedulerPeriod().toMillis(), TimeUnit.MILLISECONDS);
                    wake.drainPermits();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private int dispatch(List<DeliveryStore.Claim> claims) {
        for (DeliveryStore.Claim c : claims) {
            if (c.leaseExpired()) {
                // the try before this one claimed the message and never recorded its outcome (a crash, a failed
                // commit): it may have reached the chat, so this send may show it twice
                possibleDuplicateCount.incrementAndGet();
                if (possibleDuplicates != null) {
                    possibleDuplicates.increment();
                }
                log.atWarn().addKeyValue("jobId", c.jobId()).addKeyValue("chatId", c.chatId())
                        .addKeyValue("kind", c.kind()).addKeyValue("seq", c.seq()).addKeyValue("attempt", c.attempt())
                        .log("delivery.possible-duplicate; the previous try's outcome was never recorded");
            }
            submit(() -> sendAndRecord(c));
        }
        return claims.size();
    }

    /** Work for a sender thread, once one is free; its end frees the thread and wakes the loop. */
    private void submit(Runnable work) {
        free.acquireUninterruptibly();
        senders.execute(() -> {
            try {
                work.run();
            } finally {
                free.release();
                wake.release();
            }
        });
    }

    private int dispatchCommands(List<ChatCommands.Claim> claims) {
        for (ChatCommands.Claim c : claims) {
            submit(() -> doAndRecord(c));
        }
        return claims.size();
    }

    /** A chat command on a sender thread, like a message: the call with no transaction open, then its outcome. */
    private void doAndRecord(ChatCommands.Claim c) {
        long started = System.nanoTime();
        SendOutcome outcome = attempt(() -> sender.command(c.command()));
        measure(TelegramSender.methodOf(c.command()), outcome, started);
        try {
            chatCommands.recordOutcome(c, outcome, clock.instant());
        } catch (RuntimeException e) {
            log.atError().addKeyValue("commandId", c.commandId()).addKeyValue("chatId", c.chatId())
                    .addKeyValue("reason", String.valueOf(e.getMessage()))
                    .log("chat-command.outcome-not-recorded; retried after its lease");
        }
    }

    /**
     * {@code pipeline_telegram_requests_seconds{method,outcome}}: every Bot API call a delivery or a chat command
     * made, by method and what came of it: sent, rate_limited (429), retry (network, 5xx), media_refused, refused.
     */
    private void measure(String method, SendOutcome outcome, long startedNanos) {
        if (registry == null) {
            return;
        }
        String result = switch (outcome) {
            case SendOutcome.Sent s -> "sent";
            case SendOutcome.RetryLater r -> r.retryAfter() != null ? "rate_limited" : "retry";
            case SendOutcome.MediaRefused r -> "media_refused";
            case SendOutcome.Refused r -> "refused";
        };
        io.micrometer.core.instrument.Timer.builder("pipeline.telegram.requests")
                .description("Bot API calls by method and outcome").tag("method", method).tag("outcome", result)
                .register(registry).record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }

    /** A call that threw (a bug, an unexpected answer) is tried again later, like a network error. */
    private static SendOutcome attempt(java.util.function.Supplier<SendOutcome> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            return new SendOutcome.RetryLater(null, 0, String.valueOf(e.getMessage()));
        }
    }

    /** Runs on a sender thread: the Telegram call with no transaction open, then the outcome's own transaction. */
    void sendAndRecord(DeliveryStore.Claim c) {
        long started = System.nanoTime();
        SendOutcome outcome = attempt(() -> sender.send(c.chatId(), c.message()));
        measure(c.message().method().apiName, outcome, started);
        try {
            store.recordOutcome(c, outcome, clock.instant());
        } catch (RuntimeException e) {
            // the message stays SENDING; when its lease expires it is tried again (and counted as a possible duplicate)
            log.atError().addKeyValue("jobId", c.jobId()).addKeyValue("chatId", c.chatId())
                    .addKeyValue("seq", c.seq()).addKeyValue("outcome", outcome.getClass().getSimpleName())
                    .addKeyValue("reason", String.valueOf(e.getMessage()))
                    .log("delivery.outcome-not-recorded; the message is retried after its lease");
        }
    }
}
