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

    /** The property that lists a service's required variables, in its own configuration file. */
    public static final String LIST = "pipeline.required-variables";
    /** Variables required only when another setting is on: variable → setting. */
    public static final String CONDITIONAL = "pipeline.conditionally-required";

    /** Checks the variables the service's configuration lists under {@value #LIST}. */
    public static void checkListed(Environment env) {
        String service = env.getProperty("pipeline.service-name", "the service");
        Map<String, String> required = new java.util.LinkedHashMap<>();
        for (String name : env.getProperty(LIST, "").split("\\s*,\\s*")) {
            if (!name.isBlank()) {
                required.put(name.trim(), "required by " + service);
            }
        }
        org.springframework.boot.context.properties.bind.Binder.get(env)
                .bind(CONDITIONAL, org.springframework.boot.context.properties.bind.Bindable.mapOf(String.class,
                        String.class))
                .ifBound(conditional -> conditional.forEach((name, condition) -> {
                    String value = env.getProperty(condition, "");
                    if (!value.isBlank() && !"false".equalsIgnoreCase(value)) {
                        required.put(name, "required by " + service + " when " + condition + " is set");
                    }
                }));
        check(env, service, required);
    }

    /**
     * @param required environment variable name → why the service needs it
     */
    public static void check(Environment env, String service, Map<String, String> required) {
        List<String> missing = new ArrayList<>();
        required.forEach((name, why) -> {
            // "A|B": either will do (KIE_API_KEY|KIE_API_KEYS)
            boolean set = java.util.Arrays.stream(name.split("\\|")).map(String::trim).map(env::getProperty)
                    .anyMatch(value -> value != null && !value.isBlank());
            if (!set) {
                missing.add(name.replace("|", " or ") + " (" + why + ")");
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
