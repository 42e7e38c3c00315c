package io.kiepipeline.orchestrator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The saga's core is pure: no Spring, Kafka or JPA in it, so it is tested without any of them. */
@AnalyzeClasses(packages = "io.kiepipeline.orchestrator", importOptions = ImportOption.DoNotIncludeTests.class)
class PureCoreArchitectureTest {
    @ArchTest
    static final ArchRule sagaCoreHasNoFrameworks = noClasses()
            .that().resideInAPackage("io.kiepipeline.orchestrator.jobs.core..")
            .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "org.apache.kafka..",
                    "jakarta.persistence..", "org.hibernate..", "java.sql..")
            .allowEmptyShould(false);
}
