package io.kiepipeline.emulators;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A fresh KIE emulator for each test, on a free port, with one key; tasks finish after {@link #taskMillis()}. */
abstract class KieEmulatorTestBase {
    static final String KEY = "test-key";
    final TestHttp http = new TestHttp();
    KieEmulator kie;

    /** How long the emulator's tasks take by default. */
    long taskMillis() {
        return 60_000;
    }

    @BeforeEach
    void startEmulator() throws Exception {
        kie = KieEmulator.start(0, KEY, taskMillis());
    }

    @AfterEach
    void stopEmulator() {
        kie.close();
    }

    TestHttp.Reply createTask(String prompt) {
        return http.post(kie.baseUrl() + "/api/v1/jobs/createTask", KEY,
                "{\"model\":\"google/nano-banana\",\"input\":{\"prompt\":\"" + prompt + "\"}}");
    }
}
