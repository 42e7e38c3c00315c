package io.kiepipeline.gateway;

import io.kiepipeline.gateway.api.Backends;
import io.kiepipeline.gateway.publishing.Publisher;
import io.kiepipeline.gateway.telegram.TelegramUpdateForwarder;
import io.kiepipeline.gateway.telegram.PollerElection;
import io.kiepipeline.gateway.telegram.TelegramPolling;
import io.kiepipeline.platform.callbacks.CallbackToken;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.telegram.telegrambots.client.okhttp.OkHttpTelegramClient;
import org.telegram.telegrambots.meta.TelegramUrl;
import org.telegram.telegrambots.meta.generics.TelegramClient;

/** The gateway: everything from outside comes in here and goes onto Kafka. */
@SpringBootApplication
@org.springframework.boot.context.properties.EnableConfigurationProperties({GatewaySettings.class, GatewayTelegramSettings.class})
public class GatewayApplication {
    /** The service's configuration file, gateway.yml: the services share one classpath in the all-in-one run. */
    public static final String CONFIG_NAME = "gateway";

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(GatewayApplication.class);
        app.setDefaultProperties(java.util.Map.of("spring.config.name", CONFIG_NAME));
        app.run(args);
    }

    @Bean
    CallbackToken callbackToken(GatewaySettings settings) {
        return new CallbackToken(settings.callbackSecret());
    }

    @Bean
    @ConditionalOnProperty(name = "pipeline.telegram.enabled", matchIfMissing = true)
    TelegramClient telegramClient(GatewayTelegramSettings telegram) {
        return new OkHttpTelegramClient(telegram.botToken(), telegramUrl(telegram.baseUrl()));
    }

    /** Every update Telegram sends (long polling or the webhook) goes onto Kafka as it came, for the bot service. */
    @Bean
    @ConditionalOnProperty(name = "pipeline.telegram.enabled", matchIfMissing = true)
    TelegramUpdateForwarder telegramUpdateForwarder(Publisher publisher, Clock clock) {
        return new TelegramUpdateForwarder(publisher, clock);
    }

    /** The "/" menu of Telegram clients, in English and Russian. */
    @Bean
    @ConditionalOnProperty(name = "pipeline.telegram.enabled", matchIfMissing = true)
    io.kiepipeline.gateway.telegram.UntilAccepted botCommands(TelegramClient telegram) {
        return io.kiepipeline.gateway.telegram.BotCommands.registration(telegram);
    }

    /** setWebhook at start, in webhook mode. */
    @Bean
    @ConditionalOnExpression("${pipeline.telegram.enabled:true} and ${pipeline.telegram.webhook:false}")
    io.kiepipeline.gateway.telegram.UntilAccepted webhookRegistration(
            io.kiepipeline.gateway.telegram.TelegramWebhook webhook) {
        return webhook.registration();
    }

    /** Long polling, unless Telegram sends updates to the webhook ({@code TELEGRAM_WEBHOOK=true}). */
    @Bean
    @ConditionalOnExpression(POLLING)
    TelegramPolling telegramPolling(TelegramUpdateForwarder bot, GatewayTelegramSettings telegram) {
        return new TelegramPolling(bot, telegram.botToken(), telegramUrl(telegram.baseUrl()),
                telegram.longPollTimeoutSeconds());
    }

    static final String POLLING = "${pipeline.telegram.enabled:true} and !${pipeline.telegram.webhook:false}";

    /**
     * Only one gateway polls Telegram at a time: the one holding the poller's partition. Without the election
     * (`TELEGRAM_POLLER_ELECTION=false`, for a single gateway), this one polls from its start.
     */
    @Bean
    @ConditionalOnExpression(POLLING)
    SmartLifecycle telegramPollerElection(TelegramPolling polling,
                                          org.springframework.boot.kafka.autoconfigure.KafkaProperties kafka,
                                          GatewayTelegramSettings telegram) {
        String bootstrapServers = String.join(",", kafka.getBootstrapServers());
        Duration session = telegram.pollerSessionTimeout();
        boolean election = telegram.pollerElection();
        if (!election) {
            return new SmartLifecycle() {
                @Override
                public void start() {
                    polling.start();
                }

                @Override
                public void stop() {
                    polling.stop();
                }

                @Override
                public boolean isRunning() {
                    return polling.isRunning();
                }
            };
        }
        PollerElection elected = new PollerElection(bootstrapServers, "gateway-telegram-poller", session,
                polling::start, polling::stop);
        polling.fencedBy(elected::longPollSeconds);
        return elected;
    }

    @Bean
    @ConditionalOnProperty(name = "pipeline.telegram.enabled", matchIfMissing = true)
    org.apache.kafka.clients.admin.NewTopic telegramPollerTopic() {
        return org.springframework.kafka.config.TopicBuilder.name(PollerElection.TOPIC).partitions(1).build();
    }

    static TelegramUrl telegramUrl(String baseUrl) {
        URI uri = URI.create(baseUrl);
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
        return new TelegramUrl(uri.getScheme(), uri.getHost(), port, false);
    }
}
