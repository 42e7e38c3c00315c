package io.kiepipeline.bot;

import io.kiepipeline.bot.conversation.Backend;
import io.kiepipeline.bot.conversation.Conversation;
import io.kiepipeline.bot.service.RestBackend;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The bot: reads the Telegram updates the gateway publishes ({@code gateway.telegram-updates}), keeps each chat's
 * conversation in its schema, and writes what it answers (chat commands for the delivery-worker) and the jobs it
 * starts ({@code GenerationRequested}) to its outbox, in the transaction that moves the conversation on (ADR 11).
 */
@SpringBootApplication
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
    RestBackend backend(@Value("${pipeline.bot.orchestrator-url}") String orchestrator,
                        @Value("${pipeline.bot.ledger-url}") String ledger,
                        @Value("${pipeline.bot.call-timeout}") Duration timeout,
                        @Value("${pipeline.bot.catalog-refresh}") Duration refresh, Clock clock) {
        return new RestBackend(orchestrator, ledger, timeout, refresh, clock);
    }

    @Bean
    io.kiepipeline.bot.service.TelegramFiles telegramFiles(@Value("${pipeline.bot.telegram-base-url}") String baseUrl,
                                                           @Value("${pipeline.bot.bot-token}") String token,
                                                           @Value("${pipeline.bot.photo-max-bytes}") long maxBytes) {
        return new io.kiepipeline.bot.service.TelegramFiles(baseUrl, token, maxBytes);
    }

    @Bean
    io.kiepipeline.bot.service.MediaStore mediaStore(org.springframework.jdbc.core.JdbcTemplate jdbc, Clock clock,
                                                     @Value("${pipeline.bot.media-ttl}") Duration ttl) {
        return new io.kiepipeline.bot.service.MediaStore(jdbc, clock, ttl);
    }

    @Bean
    io.kiepipeline.bot.conversation.TopUpOffer topUpOffer(
            @Value("${pipeline.bot.topup.star-packages}") java.util.List<Long> starPackages,
            @Value("${pipeline.bot.topup.minor-per-star}") long minorPerStar,
            @Value("${pipeline.bot.topup.max-stars}") long maxStars,
            @Value("${pipeline.bot.topup.card-packages}") java.util.List<Long> cardPackages,
            @Value("${pipeline.currency}") String currency) {
        return new io.kiepipeline.bot.conversation.TopUpOffer(starPackages, minorPerStar, maxStars, cardPackages,
                currency);
    }

    @Bean
    Conversation conversation(Backend backend, io.kiepipeline.bot.conversation.TopUpOffer topUps,
                              @Value("${pipeline.bot.username}") String username,
                              @Value("${pipeline.bot.bonus.referral-minor}") long referralMinor,
                              @Value("${pipeline.currency}") String currency,
                              @Value("${FREE_DAILY_PER_USER:10}") int freeDailyPerUser) {
        // the orchestrator enforces the free tier's limit; the bot shows it (the same variable)
        return new Conversation(backend, topUps, new Conversation.Referral(username, referralMinor, currency),
                freeDailyPerUser);
    }
}
