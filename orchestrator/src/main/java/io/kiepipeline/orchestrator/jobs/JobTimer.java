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

    JobTimer(JobService jobs) {
        this.jobs = jobs;
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
