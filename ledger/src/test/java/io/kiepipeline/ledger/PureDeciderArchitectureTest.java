package io.kiepipeline.ledger;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The ledger's decider is pure: no Spring, Kafka, JPA or JDBC in it, so it is tested without any of them. */
@AnalyzeClasses(packages = "io.kiepipeline.ledger", importOptions = ImportOption.DoNotIncludeTests.class)
class PureDeciderArchitectureTest {
    @ArchTest
    static final ArchRule deciderHasNoFrameworks = noClasses()
            .that().resideInAPackage("io.kiepipeline.ledger.decider..")
            .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "org.apache.kafka..",
                    "jakarta.persistence..", "org.hibernate..", "java.sql..", "io.kiepipeline.ledger.accounts..")
            .allowEmptyShould(false);
}
