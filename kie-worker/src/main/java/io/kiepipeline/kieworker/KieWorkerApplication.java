package io.kiepipeline.kieworker;

import io.kiepipeline.kieworker.client.CreateTaskThrottle;
import io.kiepipeline.kieworker.client.KieClient;
import io.kiepipeline.kieworker.client.SharedCreateTaskThrottle;
import org.springframework.jdbc.core.JdbcTemplate;
import io.kiepipeline.kieworker.tasks.KieSettings;
import io.kiepipeline.platform.callbacks.CallbackToken;
import java.time.Clock;
import java.time.Duration;
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
@org.springframework.boot.context.properties.EnableConfigurationProperties(KieWorkerSettings.class)
public class KieWorkerApplication {
    /** The service's configuration file, kie-worker.yml: the services share one classpath in the all-in-one run. */
    public static final String CONFIG_NAME = "kie-worker";

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(KieWorkerApplication.class);
        app.setDefaultProperties(java.util.Map.of("spring.config.name", CONFIG_NAME));
        app.run(args);
    }

    @Bean
    KieSettings kieSettings(KieWorkerSettings s) {
        CallbackToken tokens = s.publicBaseUrl().isBlank() ? null : new CallbackToken(s.callbackSecret());
        return new KieSettings(s.publicBaseUrl(), tokens, s.retry().attempts(), s.retry().initial(), s.retry().max(),
                s.callbackTokenMargin(), s.allowHttpResultUrls());
    }

    @Bean
    KieAccounts kieAccounts(KieWorkerSettings s, JdbcTemplate jdbc, OutboxWriter outbox, Clock clock,
                            ObjectProvider<MeterRegistry> meters) {
        List<String> apiKeys = s.keys();
        long warnBelow = s.credits().warnBelow();
        if (apiKeys.isEmpty()) {
            throw new RequiredSettings.MissingSettingException("kie-worker cannot start: set KIE_API_KEY (or "
                    + "KIE_API_KEYS, several keys comma-separated)");
        }
        return new KieAccounts(apiKeys, jdbc, outbox, clock, warnBelow, meters.getIfAvailable(
                SimpleMeterRegistry::new));
    }

    @Bean
    KieClient kieClient(KieWorkerSettings s, KieAccounts accounts, ObjectProvider<MeterRegistry> meters) {
        KieClient client = new KieClient(s.baseUrl(), accounts.keys().getFirst().apiKey(), s.requestTimeout());
        meters.ifAvailable(client::bindTo);
        return client;
    }

    @Bean
    CreditPoller creditPoller(KieAccounts accounts, KieClient kie, PlatformTransactionManager txManager,
                              KieWorkerSettings s) {
        return new CreditPoller(accounts, kie, txManager, s.credits().pollInterval());
    }

    /**
     * KIE's window, counted a margin longer: a slot is taken before its call leaves, and a call that leaves a little
     * late must still fall outside KIE's window of the call that takes the same place 20 calls later.
     */
    @Bean
    CreateTaskThrottle createTaskThrottle(JdbcTemplate jdbc, KieWorkerSettings s, Clock clock) {
        KieWorkerSettings.RateLimit r = s.rateLimit();
        return new SharedCreateTaskThrottle(jdbc, r.requests(), r.per().plus(r.margin()), clock);
    }
}
