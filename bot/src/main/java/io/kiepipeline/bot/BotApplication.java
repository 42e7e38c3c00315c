package io.kiepipeline.bot;

import io.kiepipeline.bot.conversation.Backend;
import io.kiepipeline.bot.conversation.Conversation;
import io.kiepipeline.bot.service.RestBackend;
import java.time.Clock;
import java.time.Duration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The bot: reads the Telegram updates the gateway publishes ({@code gateway.telegram-updates}), keeps each chat's
 * conversation in its schema, and writes what it answers (chat commands for the delivery-worker) and the jobs it
 * starts ({@code GenerationRequested}) to its outbox, in the transaction that moves the conversation on (ADR 11).
 */
@SpringBootApplication
@org.springframework.boot.context.properties.EnableConfigurationProperties(BotSettings.class)
@org.springframework.scheduling.annotation.EnableScheduling
public class BotApplication {
    /** The service's configuration file, bot.yml: the services share one classpath in the all-in-one run. */
    public static final String CONFIG_NAME = "bot";

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(BotApplication.class);
        app.setDefaultProperties(java.util.Map.of("spring.config.name", CONFIG_NAME));
        app.run(args);
    }

    @Bean
    RestBackend backend(BotSettings s, Clock clock) {
        return new RestBackend(s.orchestratorUrl(), s.ledgerUrl(), s.callTimeout(), s.catalogRefresh(), clock);
    }

    @Bean
    io.kiepipeline.bot.service.TelegramFiles telegramFiles(BotSettings s) {
        return new io.kiepipeline.bot.service.TelegramFiles(s.telegramBaseUrl(), s.botToken(), s.photoMaxBytes());
    }

    @Bean
    io.kiepipeline.bot.service.MediaStore mediaStore(org.springframework.jdbc.core.JdbcTemplate jdbc, Clock clock,
                                                     BotSettings s) {
        return new io.kiepipeline.bot.service.MediaStore(jdbc, clock, s.mediaTtl());
    }

    @Bean
    io.kiepipeline.bot.conversation.TopUpOffer topUpOffer(
            BotSettings s, io.kiepipeline.platform.config.PlatformProperties platform) {
        BotSettings.Topup t = s.topup();
        return new io.kiepipeline.bot.conversation.TopUpOffer(t.starPackages(), t.minorPerStar(), t.maxStars(),
                t.cardPackages(), platform.currency());
    }

    @Bean
    Conversation conversation(Backend backend, io.kiepipeline.bot.conversation.TopUpOffer topUps,
                              BotSettings s, io.kiepipeline.platform.config.PlatformProperties platform) {
        // the orchestrator enforces the free tier's limit; the bot shows it (the same variable)
        return new Conversation(backend, topUps, new Conversation.Referral(s.username(), s.bonus().referralMinor(),
                platform.currency()), s.freeDailyPerUser());
    }
}
