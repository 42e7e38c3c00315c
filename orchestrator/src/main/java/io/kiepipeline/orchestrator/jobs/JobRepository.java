package io.kiepipeline.orchestrator.jobs;


import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.jpa.repository.QueryHints;
import jakarta.persistence.QueryHint;

public interface JobRepository extends JpaRepository<JobRecord, UUID> {
    /** A user's latest jobs, newest first (the index job_user serves it). */
    @Query("select j from JobRecord j where j.userId = :userId order by j.createdAt desc")
    List<JobRecord> latestOf(long userId, org.springframework.data.domain.Limit limit);

    /**
     * Jobs with something due (a poll, a ledger command to send again, a deadline), locked and skipped by other
     * instances.
     */
    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @QueryHints(@QueryHint(name = "jakarta.persistence.lock.timeout", value = "-2"))
    @Query("""
            select j from JobRecord j
            where j.nextPollAt <= :now
               or (j.deadlineAt <= :now
                   and j.status in (io.kiepipeline.orchestrator.jobs.core.JobStatus.AWAITING_HOLD,
                                    io.kiepipeline.orchestrator.jobs.core.JobStatus.SUBMITTING,
                                    io.kiepipeline.orchestrator.jobs.core.JobStatus.RUNNING))
            order by j.nextPollAt""")
    List<JobRecord> lockDue(Instant now, org.springframework.data.domain.Limit limit);
}
