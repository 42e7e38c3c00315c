package io.kiepipeline.schemas;

/**
 * A message on a topic. Every message family is a sealed interface per topic; {@link #key()} is the Kafka key: the
 * job id on job streams and the user id on money streams.
 */
public sealed interface Message
        permits GatewayEvent, LedgerCommand, LedgerEvent, KieCommand, KieEvent, KieAccountEvent, JobEvent, DeliveryEvent,
        ChatCommand, TelegramUpdate {
    String key();
}
