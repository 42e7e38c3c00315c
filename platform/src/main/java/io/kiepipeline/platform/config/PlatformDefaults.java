package io.kiepipeline.platform.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;

/**
 * {@code platform-defaults.yml}: what every service shares (Kafka, the database, the actuator, metrics), added
 * behind everything else, so that a service's own file (gateway.yml's shorter Kafka timeouts, say), the environment
 * and the command line all override it. (A {@code spring.config.import} would do the opposite: an imported file
 * wins over the file that imports it.)
 */
public class PlatformDefaults implements EnvironmentPostProcessor, Ordered {
    static final String NAME = "platform-defaults";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.getPropertySources().contains(NAME)) {
            return;
        }
        try {
            List<PropertySource<?>> loaded = new YamlPropertySourceLoader().load(NAME,
                    new ClassPathResource("platform-defaults.yml"));
            for (PropertySource<?> source : loaded) {
                environment.getPropertySources().addLast(source);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read platform-defaults.yml", e);
        }
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
