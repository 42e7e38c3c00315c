package io.kiepipeline.emulators;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A fresh Telegram emulator for each test, on a free port, and the Bot API's URL of a method. */
abstract class TelegramEmulatorTestBase {
    static final String TOKEN = "424242:emulator-test-token";
    final TestHttp http = new TestHttp();
    TelegramEmulator telegram;

    @BeforeEach
    void startEmulator() throws Exception {
        telegram = TelegramEmulator.start(0, TOKEN);
    }

    @AfterEach
    void stopEmulator() {
        telegram.close();
    }

    /** {@code /bot<token>/<method>}, as a bot calls it. */
    String bot(String method) {
        return telegram.baseUrl() + "/bot" + TOKEN + "/" + method;
    }
}
