package io.kiepipeline.orchestrator.jobs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Drives polls and deadlines: a job is never silently stuck waiting for a callback that does not come. */
@Component
class JobTimer {
    private static final Logger log = LoggerFactory.getLogger(JobTimer.class);
    private final JobService jobs;
    private final Quotes quotes;
    private final java.time.Clock clock;

    JobTimer(JobService jobs, Quotes quotes, java.time.Clock clock) {
        this.jobs = jobs;
        this.quotes = quotes;
        this.clock = clock;
    }

    /** Quotes a day past their expiry are of no use: the jobs made from them keep their own price and quote id. */
    @Scheduled(fixedDelay = 10, initialDelay = 1, timeUnit = java.util.concurrent.TimeUnit.MINUTES)
    void forgetOldQuotes() {
        try {
            java.time.Instant before = clock.instant().minus(java.time.Duration.ofDays(1));
            while (quotes.deleteExpired(before, 1000) == 1000) {
                // a full batch: more may be old
            }
        } catch (RuntimeException e) {
            log.atWarn().setCause(e).log("quote.cleanup-failed; retrying later");
        }
    }

    @Scheduled(fixedDelayString = "${pipeline.jobs.scheduler-period}")
    void run() {
        try {
            while (jobs.tick(100) == 100) {
                // a full batch: more may be due
            }
        } catch (RuntimeException e) {
            log.atWarn().setCause(e).log("job.timer-failed; retrying on the next period");
        }
    }
}
