package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every variable a service's configuration or code reads is in the README's Configuration table. */
class ConfigurationDocsTest {
    private static final Path ROOT = Path.of("..");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]+)");
    /** System.getenv("X"), and the log encoder's setting("X", default), which reads the environment too. */
    private static final Pattern GETENV = Pattern.compile("(?:getenv|setting)\\(\"([A-Z][A-Z0-9_]+)\"");

    @Test
    void everyVariableTheServicesReadIsDocumented() throws IOException {
        Set<String> read = new TreeSet<>();
        try (Stream<Path> files = Files.walk(ROOT, 16)) {
            for (Path f : files.filter(Files::isRegularFile).filter(ConfigurationDocsTest::isMainSource).toList()) {
                String text = Files.readString(f);
                collect(PLACEHOLDER.matcher(text), read);
                collect(GETENV.matcher(text), read);
            }
        }
        assertThat(read).as("the scan found the services' settings").contains("KAFKA_BOOTSTRAP_SERVERS",
                "DATABASE_POOL_SIZE", "KIE_REQUEST_TIMEOUT", "TELEGRAM_LONG_POLL_TIMEOUT", "ORCHESTRATOR_PORT",
                "LOG_FORMAT");
        String readme = Files.readString(ROOT.resolve("README.md"));
        String table = readme.substring(readme.indexOf("## Configuration"));
        assertThat(read).as("variables missing from the README's Configuration table")
                .allSatisfy(name -> assertThat(table).contains("`" + name + "`"));
    }

    private static boolean isMainSource(Path p) {
        String s = ROOT.relativize(p).toString().replace('\\', '/');
        return s.contains("/src/main/") && !s.contains("/target/") && !s.contains("node_modules")
                && !s.startsWith(".") && !s.startsWith("emulators/")
                && (s.endsWith(".yml") || s.endsWith(".java"));
    }

    private static void collect(Matcher m, Set<String> into) {
        while (m.find()) {
            into.add(m.group(1));
        }
    }
}
