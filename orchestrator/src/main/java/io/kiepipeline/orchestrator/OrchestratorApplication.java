package io.kiepipeline.orchestrator;

import io.kiepipeline.orchestrator.catalog.ModelCatalog;
import io.kiepipeline.orchestrator.jobs.core.JobIntake;
import io.kiepipeline.orchestrator.jobs.core.JobSaga;
import io.kiepipeline.orchestrator.jobs.core.SagaSettings;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The orchestrator: owns jobs and drives each job's saga. */
@SpringBootApplication
@EnableScheduling
public class OrchestratorApplication {
    /** The service's configuration file, orchestrator.yml: the services share one classpath in the all-in-one run. */
    public static final String CONFIG_NAME = "orchestrator";

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(OrchestratorApplication.class);
        app.setDefaultProperties(java.util.Map.of("spring.config.name", CONFIG_NAME));
        app.run(args);
    }

    @Bean
    ModelCatalog modelCatalog(@Value("${pipeline.catalog}") String location,
                              @Value("${pipeline.currency}") String currency,
                              @Value("${ALLOW_HTTP_RESULT_URLS:false}") boolean emulatedWorld,
                              @Value("${PUBLIC_BASE_URL:}") String publicBaseUrl) {
        ModelCatalog catalog = ModelCatalog.load(location);
        if (emulatedWorld && publicBaseUrl.startsWith("http://")) {
            // the embedded run with the emulators: the photos the bot re-hosts are under an http address
            catalog = catalog.trustingHttpUnder(publicBaseUrl.replaceAll("/+$", "") + "/media/");
        }
        if (!catalog.currency().equals(currency)) {
            throw new IllegalStateException("catalog: field currency: the catalog at " + location + " prices in "
                    + catalog.currency() + " but CURRENCY is " + currency);
        }
        org.slf4j.LoggerFactory.getLogger(OrchestratorApplication.class).atInfo()
                .addKeyValue("catalogVersion", catalog.version()).addKeyValue("models", catalog.all().size())
                .addKeyValue("location", location).log("catalog.loaded");
        return catalog;
    }

    @Bean
    SagaSettings sagaSettings(@Value("${pipeline.jobs.timeout}") Duration timeout,
                              @Value("${pipeline.jobs.poll-interval}") Duration pollInterval,
                              @Value("${pipeline.jobs.poll-max-interval}") Duration pollMaxInterval,
                              @Value("${pipeline.jobs.callback-grace}") Duration callbackGrace,
                              @Value("${pipeline.jobs.hold-timeout}") Duration holdTimeout,
                              @Value("${pipeline.jobs.reconcile-after}") Duration reconcileAfter,
                              @Value("${pipeline.jobs.late-watch}") Duration lateWatch,
                              @Value("${pipeline.jobs.late-poll-interval}") Duration latePollInterval) {
        return new SagaSettings(timeout, pollInterval, pollMaxInterval, callbackGrace, holdTimeout, reconcileAfter,
                lateWatch, latePollInterval);
    }

    /**
     * How long KIE may take for a model: the shorter of JOB_TIMEOUT and its category's maximum age
     * ({@code pipeline.jobs.max-age.<CATEGORY>}); a model the catalog no longer has gets JOB_TIMEOUT.
     */
    @Bean
    java.util.function.Function<String, Duration> kieTimeouts(SagaSettings settings, ModelCatalog catalog,
                                                             org.springframework.core.env.Environment env) {
        java.util.Map<String, Duration> byModel = new java.util.HashMap<>();
        for (var m : catalog.all()) {
            Duration max = env.getProperty("pipeline.jobs.max-age." + m.category().name(), Duration.class);
            byModel.put(m.id(), max != null && max.compareTo(settings.timeout()) < 0 ? max : settings.timeout());
        }
        return model -> byModel.getOrDefault(model, settings.timeout());
    }

    @Bean
    JobSaga jobSaga(SagaSettings settings, java.util.function.Function<String, Duration> kieTimeouts) {
        return new JobSaga(settings, kieTimeouts);
    }

    @Bean
    JobIntake jobIntake(ModelCatalog catalog, SagaSettings settings, @Value("${pipeline.currency}") String currency,
                        @Value("${pipeline.quotes.ttl}") Duration quoteTtl,
                        java.util.function.Function<String, Duration> kieTimeouts) {
        return new JobIntake(catalog, settings, currency, quoteTtl, kieTimeouts);
    }
}
