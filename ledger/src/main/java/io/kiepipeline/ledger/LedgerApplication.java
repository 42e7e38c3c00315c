package io.kiepipeline.ledger;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The ledger: the only writer of money. */
@SpringBootApplication
public class LedgerApplication {
    /** The service's configuration file, ledger.yml: the services share one classpath in the all-in-one run. */
    public static final String CONFIG_NAME = "ledger";

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(LedgerApplication.class);
        app.setDefaultProperties(java.util.Map.of("spring.config.name", CONFIG_NAME));
        app.run(args);
    }
}
