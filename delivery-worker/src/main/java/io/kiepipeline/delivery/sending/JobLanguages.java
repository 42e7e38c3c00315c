package io.kiepipeline.delivery.sending;

import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.Language;
import java.sql.Timestamp;
import java.time.Instant;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Each job's language, from its JobCreated, so that its later notices (the result, a failure, a late result) speak
 * the user's language. A job without one (an API request without a language, an event from before) is English.
 */
@Component
class JobLanguages {
    private final JdbcTemplate jdbc;

    JobLanguages(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** In the consumer's transaction; a repeated JobCreated changes nothing. */
    void remember(JobId jobId, Language language, Instant now) {
        if (language == null || language == Language.EN) {
            return; // English is what an unknown job speaks anyway
        }
        jdbc.update("""
                insert into job_language (job_id, language, created_at) values (?, ?, ?)
                on conflict (job_id) do nothing""", jobId.value(), language.name(), Timestamp.from(now));
    }

    Language of(JobId jobId) {
        String found = jdbc.query("select language from job_language where job_id = ?",
                rs -> rs.next() ? rs.getString(1) : null, jobId.value());
        return found == null ? Language.EN : Language.valueOf(found);
    }
}
