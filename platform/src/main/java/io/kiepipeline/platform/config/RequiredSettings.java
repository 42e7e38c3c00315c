package io.kiepipeline.platform.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.core.env.Environment;

/**
 * Stops a service at once, naming the variable, when it starts without a setting it cannot work without. Nothing
 * here falls back to a default for a secret.
 */
public final class RequiredSettings {
    private RequiredSettings() {
    }

    /**
     * @param required environment variable name → why the service needs it
     */
    public static void check(Environment env, String service, Map<String, String> required) {
        List<String> missing = new ArrayList<>();
        required.forEach((name, why) -> {
            String value = env.getProperty(name);
            if (value == null || value.isBlank()) {
                missing.add(name + " (" + why + ")");
            }
        });
        if (!missing.isEmpty()) {
            throw new MissingSettingException(service + " cannot start: set " + String.join(", ", missing));
        }
    }

    public static final class MissingSettingException extends IllegalStateException {
        public MissingSettingException(String message) {
            super(message);
        }
    }
}
