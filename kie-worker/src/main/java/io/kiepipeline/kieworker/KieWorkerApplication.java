package io.kiepipeline.kieworker;

import io.kiepipeline.kieworker.client.CreateTaskThrottle;
import io.kiepipeline.kieworker.client.KieClient;
import io.kiepipeline.kieworker.client.SharedCreateTaskThrottle;
import org.springframework.jdbc.core.JdbcTemplate;
import io.kiepipeline.kieworker.tasks.KieSettings;
import io.kiepipeline.platform.callbacks.CallbackToken;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import io.kiepipeline.kieworker.accounts.CreditPoller;
import io.kiepipeline.kieworker.accounts.KieAccounts;
import io.kiepipeline.platform.config.RequiredSettings;
import io.kiepipeline.platform.outbox.OutboxWriter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Arrays;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/** The kie-worker: the only service that talks to KIE. */
@SpringBootApplication
public class KieWorkerApplication {
    /** The service's configuration file, kie-worker.yml: the services share one classpath in the all-in-one run. */
    public static final String CONFIG_NAME = "kie-worker";

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(KieWorkerApplication.class);
        app.setDefaultProperties(java.util.Map.of("spring.config.name", CONFIG_NAME));
        app.run(args);
    }

    @Bean
    KieSettings kieSettings(Environment env, @Value("${pipeline.kie.public-base-url}") String publicBaseUrl,
                            @Value("${pipeline.kie.retry.attempts}") int attempts,
                            @Value("${pipeline.kie.retry.initial}") Duration initial,
                            @Value("${pipeline.kie.retry.max}") Duration max,
                            @Value("${pipeline.kie.callback-token-margin}") Duration callbackTokenMargin,
                            @Value("${pipeline.kie.allow-http-result-urls}") boolean allowHttpResultUrls) {
        CallbackToken tokens = publicBaseUrl.isBlank() ? null : new CallbackToken(env.getProperty("CALLBACK_SECRET"));
        return new KieSettings(publicBaseUrl, tokens, Math.max(1, attempts), initial, max, callbackTokenMargin,
                allowHttpResultUrls);
    }

    /** {@code KIE_API_KEYS} (several accounts, comma-separated), else {@code KIE_API_KEY}. */
    static List<String> apiKeys(String keys, String key) {
        String source = keys != null && !keys.isBlank() ? keys : key == null ? "" : key;
        return Arrays.stream(source.split(",")).map(String::trim).filter(k -> !k.isEmpty()).toList();
    }

    @Bean
    KieAccounts kieAccounts(@Value("${pipeline.kie.api-keys}") String keys,
                            @Value("${pipeline.kie.api-key}") String key, JdbcTemplate jdbc, OutboxWriter outbox,
                            Clock clock, @Value("${pipeline.kie.credits.warn-below}") long warnBelow,
                            ObjectProvider<MeterRegistry> meters) {
        List<String> apiKeys = apiKeys(keys, key);
        if (apiKeys.isEmpty()) {
            throw new RequiredSettings.MissingSettingException("kie-worker cannot start: set KIE_API_KEY (or "
                    + "KIE_API_KEYS, several keys comma-separated)");
        }
        return new KieAccounts(apiKeys, jdbc, outbox, clock, warnBelow, meters.getIfAvailable(
                SimpleMeterRegistry::new));
    }

    @Bean
    KieClient kieClient(@Value("${pipeline.kie.base-url}") String baseUrl, KieAccounts accounts,
                        @Value("${pipeline.kie.request-timeout}") Duration timeout,
                        ObjectProvider<MeterRegistry> meters) {
        KieClient client = new KieClient(baseUrl, accounts.keys().getFirst().apiKey(), timeout);
        meters.ifAvailable(client::bindTo);
        return client;
    }

    @Bean
    CreditPoller creditPoller(KieAccounts accounts, KieClient kie, PlatformTransactionManager txManager,
                              @Value("${pipeline.kie.credits.poll-interval}") Duration every) {
        return new CreditPoller(accounts, kie, txManager, every);
    }

    /**
     * KIE's window, counted a margin longer: a slot is taken before its call leaves, and a call that leaves a little
     * late must still fall outside KIE's window of the call that takes the same place 20 calls later.
     */
    @Bean
    CreateTaskThrottle createTaskThrottle(JdbcTemplate jdbc,
                                          @Value("${pipeline.kie.rate-limit.requests}") int requests,
                                          @Value("${pipeline.kie.rate-limit.per}") Duration per,
                                          @Value("${pipeline.kie.rate-limit.margin}") Duration margin, Clock clock) {
        return new SharedCreateTaskThrottle(jdbc, requests, per.plus(margin), clock);
    }
}
