package io.kiepipeline.allinone;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Stops the shared pipeline when the test run ends, in order (services, then Kafka, then PostgreSQL), instead of
 * leaving it to JVM shutdown hooks that race each other.
 */
public class ClosePipelineAfterTests implements LauncherSessionListener {
    @Override
    public void launcherSessionClosed(LauncherSession session) {
        TestPipeline.closeIfStarted();
    }
}
