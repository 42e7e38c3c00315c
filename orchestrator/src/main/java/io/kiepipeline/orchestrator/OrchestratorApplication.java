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
    ModelCatalog modelCatalog(@Value("${pipeline.catalog:catalog/models.json}") String resource) {
        return ModelCatalog.fromClasspath(resource);
    }

    @Bean
    SagaSettings sagaSettings(@Value("${pipeline.jobs.timeout}") Duration timeout,
                              @Value("${pipeline.jobs.poll-interval}") Duration pollInterval,
                              @Value("${pipeline.jobs.poll-max-interval}") Duration pollMaxInterval,
                              @Value("${pipeline.jobs.callback-grace}") Duration callbackGrace,
                              @Value("${pipeline.jobs.hold-timeout}") Duration holdTimeout,
                              @Value("${pipeline.jobs.reconcile-after}") Duration reconcileAfter) {
        return new SagaSettings(timeout, pollInterval, pollMaxInterval, callbackGrace, holdTimeout, reconcileAfter);
    }

    @Bean
    JobSaga jobSaga(SagaSettings settings) {
        return new JobSaga(settings);
    }

    @Bean
    JobIntake jobIntake(ModelCatalog catalog, SagaSettings settings, @Value("${pipeline.currency}") String currency) {
        return new JobIntake(catalog, settings, currency);
    }
}
