package io.kiepipeline.kieworker.accounts;

import io.kiepipeline.kieworker.client.KieClient;
import io.kiepipeline.kieworker.client.KieResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Asks KIE for every key's credits ({@code GET /api/v1/chat/credit}) every {@code KIE_CREDIT_POLL_INTERVAL}: the
 * answer is a metric and part of the published accounts' state, a low balance is a warning, and a key whose breaker
 * is open comes back once it has credits again. Several instances share the work: each check is claimed in the
 * database first. The call itself runs with no transaction open.
 */
public class CreditPoller implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(CreditPoller.class);

    private final KieAccounts accounts;
    private final KieClient kie;
    private final TransactionTemplate tx;
    private final Duration every;
    private volatile boolean running;
    private ScheduledExecutorService timer;

    public CreditPoller(KieAccounts accounts, KieClient kie, PlatformTransactionManager txManager, Duration every) {
        this.accounts = accounts;
        this.kie = kie;
        this.tx = new TransactionTemplate(txManager);
        this.every = every;
    }

    /** One round: every key whose check is due, checked by this instance. */
    public void checkDue() {
        for (KieAccounts.Key key : accounts.keys()) {
            if (!Boolean.TRUE.equals(tx.execute(s -> accounts.claimCreditCheck(key, every)))) {
                continue;
            }
            KieResponse answer = kie.credit(key.apiKey());
            tx.executeWithoutResult(s -> accounts.recordCredits(key, answer));
        }
    }

    @Override
    public void start() {
        tx.executeWithoutResult(s -> accounts.register());
        running = true;
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("kie-credit-poller").daemon()
                .factory());
        // a quarter of the period: a due check is found soon after it is due, and claimed by one instance only
        long periodMs = Math.max(200, every.toMillis() / 4);
        timer.scheduleWithFixedDelay(() -> {
            try {
                checkDue();
            } catch (RuntimeException e) {
                log.atWarn().addKeyValue("reason", e.getMessage()).log("kie.credits.check-failed; retried later");
            }
        }, 0, periodMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        running = false;
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // with the submission scheduler: stops before the outbox relay, so a last state is still published
        return Integer.MAX_VALUE - 500;
    }
}
