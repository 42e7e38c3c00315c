package io.kiepipeline.platform.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.bind.AbstractBindHandler;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.TextResourceOrigin;

/**
 * Makes a bad setting stop the start with a sentence an operator can act on: the environment variable the value came
 * from, the value, and the rule it breaks ({@code TELEGRAM_SENDERS="0": pipeline.telegram.senders must be 1 to 256}),
 * for a value that cannot be read as its type (a duration, a number) and for one a settings record's rule refuses
 * ({@link InvalidSettingException}). The variable is read from the configuration file line the property was bound
 * from ({@code senders: ${TELEGRAM_SENDERS:4}}); a property set directly is named as itself.
 */
final class SettingsBindHandler extends AbstractBindHandler {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)");
    /** Properties that hold secrets: the last part of the name (callback-token-margin is a duration, not one). */
    private static final Pattern SECRET_NAME = Pattern.compile("(token|secret|password|api-keys?|hmac-key)$");

    private final org.springframework.core.env.PropertyResolver placeholders;


    SettingsBindHandler(BindHandler parent, org.springframework.core.env.PropertyResolver placeholders) {
        super(parent);
        this.placeholders = placeholders;
    }

    @Override
    public Object onFailure(ConfigurationPropertyName name, Bindable<?> target, BindContext context, Exception error)
            throws Exception {
        if (find(error, InvalidSettingException.Resolved.class) != null) {
            throw error;
        }
        InvalidSettingException invalid = find(error, InvalidSettingException.class);
        if (invalid != null && invalid.property() != null) {
            ConfigurationPropertyName full = ConfigurationPropertyName.isValid(name + "." + invalid.property())
                    ? name.append(invalid.property()) : name;
            ConfigurationProperty property = full == name ? null : property(context, full);
            // as the operator wrote it ("2h", not PT2H), unless it is a secret: then only its length
            Object shown = invalid.value() instanceof InvalidSettingException.Secret || property == null
                    ? invalid.value() : resolved(property.getValue());
            throw new InvalidSettingException.Resolved(describe(full, property, shown) + " " + invalid.rule());
        }
        ConfigurationProperty property = context.getConfigurationProperty();
        if (property != null && name.equals(property.getName())) {
            throw new InvalidSettingException.Resolved(describe(name, property, resolved(property.getValue()))
                    + " must be " + expected(target));
        }
        return super.onFailure(name, target, context, error);
    }

    private static String describe(ConfigurationPropertyName name, ConfigurationProperty property, Object value) {
        String variable = property == null ? null : variable(property.getOrigin());
        // a secret's value never reaches a message, whatever a rule passed: only its length
        if (!(value instanceof InvalidSettingException.Secret) && (SECRET_NAME.matcher(name.toString()).find()
                || PlatformAutoConfiguration.SECRET_VARIABLES.contains(variable))) {
            value = InvalidSettingException.secret(value == null ? null : value.toString());
        }
        String shown = value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
        return (variable == null ? "" : variable + "=" + shown + ": ") + name
                + (variable == null ? " (" + shown + ")" : "");
    }

    /**
     * Binds every settings record of the service ({@code @ConfigurationProperties} beans) at once, before any other
     * bean is made: a bad value stops the start with its sentence before the service reaches for its database or
     * Kafka.
     */
    static void bindEarly(org.springframework.beans.factory.config.ConfigurableListableBeanFactory beans,
                          org.springframework.core.env.Environment env) {
        org.springframework.boot.context.properties.bind.Binder binder =
                org.springframework.boot.context.properties.bind.Binder.get(env);
        for (String name : beans.getBeanDefinitionNames()) {
            Class<?> type = beans.getType(name, false);
            org.springframework.boot.context.properties.ConfigurationProperties settings = type == null ? null
                    : type.getAnnotation(org.springframework.boot.context.properties.ConfigurationProperties.class);
            if (settings != null && type.isRecord() && type.getName().startsWith("io.kiepipeline.")) {
                String prefix = settings.prefix().isEmpty() ? settings.value() : settings.prefix();
                binder.bindOrCreate(prefix, Bindable.of(type), new SettingsBindHandler(BindHandler.DEFAULT, env));
            }
        }
    }

    /** The value as the service read it: a configuration file's placeholder (the variable, else its default) resolved. */
    private Object resolved(Object raw) {
        return raw instanceof String text ? placeholders.resolvePlaceholders(text) : raw;
    }

    private static String expected(Bindable<?> target) {
        Class<?> type = target.getType().resolve(Object.class);
        if (type == Duration.class) {
            return "a duration such as 500ms, 30s, 5m, 1h or 7d";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.toString(type.getEnumConstants());
        }
        return "a valid " + type.getSimpleName();
    }

    private static ConfigurationProperty property(BindContext context, ConfigurationPropertyName name) {
        for (ConfigurationPropertySource source : context.getSources()) {
            ConfigurationProperty property = source.getConfigurationProperty(name);
            if (property != null) {
                return property;
            }
        }
        return null;
    }

    /** The variable named on the configuration file line the value was bound from, if any. */
    static String variable(Origin origin) {
        for (Origin o = origin; o != null; o = o instanceof org.springframework.boot.origin.OriginProvider provider
                && provider.getOrigin() != o ? provider.getOrigin() : o.getParent()) {
            if (o instanceof TextResourceOrigin text && text.getResource() != null && text.getLocation() != null) {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(text.getResource().getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line = in.lines().skip(text.getLocation().getLine()).findFirst().orElse("");
                    Matcher m = VARIABLE.matcher(line);
                    if (m.find()) {
                        return m.group(1);
                    }
                } catch (IOException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private static <T extends Throwable> T find(Throwable error, Class<T> type) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
