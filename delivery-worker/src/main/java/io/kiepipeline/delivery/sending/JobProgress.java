package io.kiepipeline.delivery.sending;

import io.kiepipeline.schemas.ChatCommand;
import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.Ids;
import io.kiepipeline.schemas.JobEvent.JobCreated;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.Language;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * One progress message per job, edited in place (queued → running → done), instead of a new message at each step.
 * The bot's message that said the job started is the progress message ({@code JobCreated.progressMessageId}); each
 * step asks for an edit through the chat-command queue, so it is sent in order with the chat's other commands and
 * under the same flood limits. Each edit's id is derived from the job and the step: a repeated event asks for nothing
 * new. A job without a progress message (the API's) gets none.
 */
@Component
class JobProgress {
    enum Step { RUNNING, DONE, NOT_DONE, CHARGED }

    private final JdbcTemplate jdbc;
    private final ChatCommands commands;

    JobProgress(JdbcTemplate jdbc, ChatCommands commands) {
        this.jdbc = jdbc;
        this.commands = commands;
    }

    /** In the consumer's transaction: the job's progress message, if it has one. */
    void remember(JobCreated e, Instant now) {
        if (e.progressMessageId() == null || e.progressMessageId() <= 0) {
            return;
        }
        jdbc.update("""
                insert into job_progress (job_id, chat_id, message_id, model, created_at) values (?, ?, ?, ?, ?)
                on conflict (job_id) do nothing""", e.jobId().value(), e.chatId().value(),
                (long) e.progressMessageId(), e.model(), Timestamp.from(now));
    }

    /** True once the charge's edit is queued (it says "done" too). */
    boolean charged(JobId jobId) {
        return Boolean.TRUE.equals(jdbc.queryForObject("select exists (select 1 from chat_command"
                + " where command_id = ?)", Boolean.class, commandId(jobId, Step.CHARGED)));
    }

    /** In the consumer's transaction: the job is done and charged; the message says so, with the balance after. */
    void showCharged(JobId jobId, long chargedMinor, long availableMinor, String currency, Language language,
                     Instant now) {
        edit(jobId, Step.CHARGED, model -> Notices.charged(model, chargedMinor, availableMinor, currency, language),
                now);
    }

    private static java.util.UUID commandId(JobId jobId, Step step) {
        return Ids.nameUuid("progress:" + jobId.value() + ":" + step);
    }

    /** In the consumer's transaction: the edit that shows this step, queued once. */
    void show(JobId jobId, Step step, Language language, Instant now) {
        edit(jobId, step, model -> Notices.progress(step, model, language), now);
    }

    private void edit(JobId jobId, Step step, java.util.function.Function<String, String> text, Instant now) {
        List<Object[]> found = jdbc.query("select chat_id, message_id, model from job_progress where job_id = ?",
                (rs, i) -> new Object[] {rs.getLong(1), rs.getLong(2), rs.getString(3)}, jobId.value());
        if (found.isEmpty()) {
            return;
        }
        Object[] p = found.getFirst();
        commands.record(new ChatCommand.EditChatMessage(commandId(jobId, step), new ChatId((Long) p[0]), (Long) p[1],
                text.apply((String) p[2]), List.of(), now), now);
    }
}
