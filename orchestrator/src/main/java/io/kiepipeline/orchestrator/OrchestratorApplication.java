package io.kiepipeline.orchestrator;

import io.kiepipeline.orchestrator.catalog.ModelCatalog;
import io.kiepipeline.orchestrator.jobs.core.JobIntake;
import io.kiepipeline.orchestrator.jobs.core.JobSaga;
import io.kiepipeline.orchestrator.jobs.core.SagaSettings;
import java.time.Duration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The orchestrator: owns jobs and drives each job's saga. */
@SpringBootApplication
@org.springframework.boot.context.properties.EnableConfigurationProperties(OrchestratorSettings.class)
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
    ModelCatalog modelCatalog(OrchestratorSettings settings, io.kiepipeline.platform.config.PlatformProperties platform) {
        boolean emulatedWorld = settings.allowHttpResultUrls();
        String publicBaseUrl = settings.publicBaseUrl();
        String location = settings.catalog();
        String currency = platform.currency();
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
    SagaSettings sagaSettings(OrchestratorSettings settings) {
        OrchestratorSettings.Jobs j = settings.jobs();
        return new SagaSettings(j.timeout(), j.pollInterval(), j.pollMaxInterval(), j.callbackGrace(),
                j.holdTimeout(), j.reconcileAfter(), j.lateWatch(), j.latePollInterval());
    }

    /**
     * How long KIE may take for a model: the shorter of JOB_TIMEOUT and its category's maximum age
     * ({@code pipeline.jobs.max-age.<CATEGORY>}); a model the catalog no longer has gets JOB_TIMEOUT.
     */
    @Bean
    java.util.function.Function<String, Duration> kieTimeouts(SagaSettings settings, ModelCatalog catalog,
                                                             OrchestratorSettings orchestrator) {
        java.util.Map<String, Duration> byModel = new java.util.HashMap<>();
        for (var m : catalog.all()) {
            byModel.put(m.id(), orchestrator.jobs().timeoutFor(m.category()));
        }
        return model -> byModel.getOrDefault(model, settings.timeout());
    }

    @Bean
    JobSaga jobSaga(SagaSettings settings, java.util.function.Function<String, Duration> kieTimeouts) {
        return new JobSaga(settings, kieTimeouts);
    }

    @Bean
    JobIntake jobIntake(ModelCatalog catalog, SagaSettings settings,
                        io.kiepipeline.platform.config.PlatformProperties platform, OrchestratorSettings orchestrator,
                        java.util.function.Function<String, Duration> kieTimeouts) {
        return new JobIntake(catalog, settings, platform.currency(), orchestrator.quotes().ttl(), kieTimeouts);
    }
}
