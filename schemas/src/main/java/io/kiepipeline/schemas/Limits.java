package io.kiepipeline.schemas;

/**
 * The one table of input limits. Inputs are bounded at the edge (the gateway refuses what is over, naming the limit),
 * and each number here is the width of the database column that stores the value, or derived from it, so that a value
 * the edge accepts can always be stored. docs/operations.md lists the same table.
 */
public final class Limits {
    private Limits() {
    }

    /** An API request body (JSON), in bytes. */
    public static final int API_BODY_BYTES = 64 * 1024;
    /** A KIE callback body, in bytes: results are URLs, so real callbacks are a few kilobytes. */
    public static final int CALLBACK_BODY_BYTES = 256 * 1024;
    /** A model id: {@code orchestrator.job.model} and {@code kie_worker.kie_task.model} are {@code varchar(120)}. */
    public static final int MODEL_ID = 120;
    /** An Idempotency-Key: {@code orchestrator.job.idempotency_key} is {@code varchar(200)}. */
    public static final int IDEMPOTENCY_KEY = 200;
    /** A journal transaction's reference: {@code ledger.ledger_transaction.reference} is {@code varchar(200)}. */
    public static final int JOURNAL_REFERENCE = 200;
    /** A deposit reference: the journal stores it as {@code "DEPOSIT:" + reference} in a journal reference. */
    public static final int DEPOSIT_REFERENCE = JOURNAL_REFERENCE - "DEPOSIT:".length();
    /** Fields in a job's {@code input} object (the largest model schema has a dozen). */
    public static final int INPUT_FIELDS = 32;
    /** A field name in {@code input}. */
    public static final int INPUT_FIELD_NAME = 64;
    /** A text value in {@code input} (the longest prompt any model in the catalog takes is 10 000 characters). */
    public static final int INPUT_TEXT = 10_000;
    /** Items of a list in {@code input} (image URLs). */
    public static final int INPUT_LIST_ITEMS = 16;
    /** How deep objects and lists may nest in {@code input}. */
    public static final int INPUT_DEPTH = 3;
    /** A URL (result URLs, image URLs). */
    public static final int URL = 2048;
    /** Result URLs of one task. */
    public static final int RESULT_URLS = 20;
    /** A KIE task id: {@code kie_worker.kie_task.task_id} and {@code orchestrator.job.task_id} are varchar(200). */
    public static final int TASK_ID = 200;
    /** A Telegram message text (Bot API limit, in characters). */
    public static final int TELEGRAM_TEXT = 4096;
    /**
     * A Telegram update as the gateway publishes it (characters of its JSON): a message's 4,096 characters of text or
     * 1,024 of caption, escaped, with its entities, sender, chat and reply fit many times over. A larger one is not
     * something Telegram sends, and is dropped at the gateway with a warning.
     */
    public static final int TELEGRAM_UPDATE = 64 * 1024;
    /**
     * A webhook request's body (bytes): far above any update Telegram sends, so that an update over
     * {@link #TELEGRAM_UPDATE} still reaches the gateway, which publishes a stub of it the bot can answer.
     */
    public static final int TELEGRAM_WEBHOOK_BODY_BYTES = 1024 * 1024;
    /** A detail the system writes about a job: {@code orchestrator.job.detail} is {@code varchar(1000)}. */
    public static final int DETAIL = 1000;
    /** The raw callback body kept for audit in {@code CallbackReceived}. */
    public static final int CALLBACK_RAW = 20_000;

    /** The text, cut to at most {@code max} characters, for short codes where a marker would not fit. */
    public static String cut(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        // never half of a character outside the basic plane (an emoji): Telegram and JSON would refuse the text
        int end = max > 0 && Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end);
    }

    /** The text, cut to at most {@code max} characters with a marker saying how much was left out. */
    public static String cap(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        String marker = "… (" + (text.length() - max) + " more characters)";
        int keep = Math.max(0, max - marker.length());
        return text.substring(0, keep) + marker;
    }
}
