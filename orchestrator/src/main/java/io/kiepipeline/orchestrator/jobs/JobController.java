package io.kiepipeline.orchestrator.jobs;

import io.kiepipeline.orchestrator.jobs.core.JobIntake;
import io.kiepipeline.orchestrator.jobs.core.JobState;
import io.kiepipeline.schemas.JobRejectionReason;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** Read side for the gateway: one job as the API shows it, and a user's history. */
@RestController
class JobController {
    private final JobStore jobs;
    private final Quotes quotes;

    JobController(JobStore jobs, Quotes quotes) {
        this.jobs = jobs;
        this.quotes = quotes;
    }

    /** A user's latest jobs, newest first: what /history shows and can repeat or send again. */
    @GetMapping("/internal/users/{userId}/jobs")
    @Transactional(readOnly = true)
    java.util.List<Map<String, Object>> history(@PathVariable long userId,
                                                @org.springframework.web.bind.annotation.RequestParam(
                                                        defaultValue = "10") int limit) {
        int bounded = Math.max(1, Math.min(limit, MAX_HISTORY));
        return jobs.latestOf(userId, bounded).stream().map(r -> {
            JobState s = r.state();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("jobId", s.jobId().toString());
            body.put("model", s.model());
            body.put("status", s.status().name());
            body.put("priceMinor", s.priceMinor());
            body.put("currency", s.currency());
            Object prompt = s.input() == null ? null : s.input().getOrDefault("prompt", s.input().get("text"));
            body.put("prompt", prompt instanceof String p ? io.kiepipeline.schemas.Limits.cut(p, 200) : null);
            body.put("input", s.input());
            body.put("resultUrls", s.resultUrls());
            body.put("failureReason", s.reason());
            body.put("createdAt", r.createdAt());
            return body;
        }).toList();
    }

    static final int MAX_HISTORY = 50;

    @GetMapping("/internal/jobs/{jobId}")
    @Transactional(readOnly = true)
    ResponseEntity<Map<String, Object>> job(@PathVariable UUID jobId) {
        return jobs.find(jobId).map(r -> {
            JobState s = r.state();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("jobId", s.jobId().toString());
            body.put("userId", s.userId().value());
            body.put("chatId", s.chatId().value());
            body.put("model", s.model());
            body.put("input", s.input());
            body.put("status", s.status().name());
            body.put("priceMinor", s.priceMinor());
            body.put("currency", s.currency());
            body.put("catalogVersion", r.catalogVersion());
            body.put("kieCreditsConsumed", r.kieCredits());
            // a result that came after the job timed out, delivered free
            body.put("lateResult", s.status() == io.kiepipeline.orchestrator.jobs.core.JobStatus.FAILED
                    && !s.resultUrls().isEmpty());
            body.put("quoteId", r.quoteId() == null ? null : r.quoteId().toString());
            body.put("holdState", s.hold().name());
            body.put("taskId", s.taskId());
            body.put("resultUrls", s.resultUrls());
            body.put("failureReason", s.reason());
            body.put("failureDetail", s.detail());
            if (JobRejectionReason.QUOTE_CHANGED.name().equals(s.reason())) {
                // the new price to confirm instead of the stale quote
                quotes.find(JobIntake.requoteIdFor(s.jobId().value())).ifPresent(q -> body.put("requote",
                        QuoteController.quoteBody(q)));
            }
            body.put("deliveryFailure", r.deliveryFailure());
            body.put("source", r.source().name());
            body.put("createdAt", r.createdAt());
            body.put("updatedAt", r.updatedAt());
            body.put("submittedAt", r.submittedAt());
            body.put("finishedAt", r.finishedAt());
            body.put("deliveredAt", r.deliveredAt());
            body.put("notifiedAt", r.notifiedAt());
            return ResponseEntity.ok(body);
        }).orElseGet(() -> ResponseEntity.notFound().build());
    }
}
