package io.kiepipeline.schemas;

/** Why a message could not be sent to the chat. */
public enum DeliveryFailureReason {
    BOT_BLOCKED, CHAT_NOT_FOUND, REJECTED_BY_TELEGRAM, RETRIES_EXHAUSTED
}
