package io.kiepipeline.schemas;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Derives ids from the facts that cause them, so that a redelivered request or event yields the same id (a handler
 * never mints a random id for what it emits).
 */
public final class Ids {
    private Ids() {
    }

    /** The job id for an API request: a name-based UUID of the caller's Idempotency-Key. */
    public static JobId jobIdForApiRequest(UserId userId, String idempotencyKey) {
        return new JobId(nameUuid("api-request:" + userId.value() + ":" + idempotencyKey));
    }

    /** The job id for a Telegram update: a name-based UUID of the bot and the update id. */
    public static JobId jobIdForTelegramUpdate(long botId, long updateId) {
        return new JobId(nameUuid("telegram-update:" + botId + ":" + updateId));
    }

    /** The idempotency key a Telegram update stands for. */
    public static String idempotencyKeyForTelegramUpdate(long botId, long updateId) {
        return "tg:" + botId + ":" + updateId;
    }

    /** The hold id of a job: a name-based UUID of the job id. */
    public static HoldId holdIdForJob(JobId jobId) {
        return new HoldId(nameUuid("hold:" + jobId.value()));
    }

    /** The deposit id of an admin top-up: a name-based UUID of its reference. */
    public static DepositId depositIdForReference(String reference) {
        return new DepositId(nameUuid("deposit:" + reference));
    }

    /** The debit id of a debit: a name-based UUID of its reference. */
    public static DebitId debitIdForReference(String reference) {
        return new DebitId(nameUuid("debit:" + reference));
    }

    public static UUID nameUuid(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
    }
}
