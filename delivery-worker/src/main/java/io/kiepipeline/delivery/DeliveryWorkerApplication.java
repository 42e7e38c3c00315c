package io.kiepipeline.delivery;

import io.kiepipeline.delivery.sending.TelegramSettings;
import java.net.URI;
import java.time.Duration;
import okhttp3.OkHttpClient;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.telegram.telegrambots.client.okhttp.OkHttpTelegramClient;
import org.telegram.telegrambots.meta.TelegramUrl;
import org.telegram.telegrambots.meta.generics.TelegramClient;

/** The delivery-worker: sends results and notices to Telegram chats. */
@SpringBootApplication
@org.springframework.boot.context.properties.EnableConfigurationProperties(DeliverySettings.class)
public class DeliveryWorkerApplication {
    /** The service's configuration file, delivery-worker.yml: the services share one classpath in the all-in-one run. */
    public static final String CONFIG_NAME = "delivery-worker";

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(DeliveryWorkerApplication.class);
        app.setDefaultProperties(java.util.Map.of("spring.config.name", CONFIG_NAME));
        app.run(args);
    }

    @Bean
    TelegramSettings telegramSettings(DeliverySettings s) {
        return new TelegramSettings(s.patience(), s.retryInitial(), s.retryMax(), s.lease(), s.schedulerPeriod(),
                s.senders(), s.batchSize());
    }

    @Bean
    TelegramClient telegramClient(DeliverySettings s) {
        // one call never outlasts this (the send lease must be longer, or a slow send would be claimed twice)
        return new OkHttpTelegramClient(new OkHttpClient.Builder().callTimeout(s.callTimeout()).build(), s.botToken(),
                telegramUrl(s.baseUrl()));
    }

    /** {@code https://api.telegram.org} or an emulator's {@code http://127.0.0.1:9002}. */
    public static TelegramUrl telegramUrl(String baseUrl) {
        URI uri = URI.create(baseUrl);
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
        return new TelegramUrl(uri.getScheme(), uri.getHost(), port, false);
    }
}
