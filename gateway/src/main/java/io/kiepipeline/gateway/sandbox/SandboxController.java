package io.kiepipeline.gateway.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The sandbox chat ({@code GET /sandbox}): a person uses the bot from a browser through the Telegram emulator, in the
 * embedded run only. It exists when {@code SANDBOX_TELEGRAM_URL} names the emulator (the embedded run sets it when it
 * starts one; production never does): the page's actions are passed to the emulator's control API, which plays the
 * user in Telegram (a message, a tap, a photo, a payment), and the chat is read back as the user sees it.
 */
@RestController
@ConditionalOnExpression("!'${pipeline.gateway.sandbox-telegram-url:}'.isEmpty()")
public class SandboxController {
    /** What the page may ask the emulator: a user's actions and their chat, nothing else of its control API. */
    private static final Set<String> ACTIONS = Set.of("updates", "tap", "photo", "pay");

    private final String emulator;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public SandboxController(io.kiepipeline.gateway.GatewaySettings settings) {
        this.emulator = settings.sandboxTelegramUrl().replaceAll("/+$", "");
    }

    @GetMapping({"/sandbox", "/sandbox/"})
    ResponseEntity<byte[]> page() throws IOException {
        try (InputStream in = SandboxController.class.getResourceAsStream("/sandbox/index.html")) {
            return ResponseEntity.ok().contentType(MediaType.TEXT_HTML).cacheControl(CacheControl.noStore())
                    .body(in.readAllBytes());
        }
    }

    @GetMapping("/sandbox/control/chat")
    ResponseEntity<byte[]> chat(@RequestParam long chatId) throws IOException, InterruptedException {
        return pass(HttpRequest.newBuilder(URI.create(emulator + "/control/chat?chatId=" + chatId)).GET());
    }

    @PostMapping("/sandbox/control/{action}")
    ResponseEntity<byte[]> act(@PathVariable String action, @RequestBody byte[] body)
            throws IOException, InterruptedException {
        if (!ACTIONS.contains(action)) {
            return ResponseEntity.notFound().build();
        }
        return pass(HttpRequest.newBuilder(URI.create(emulator + "/control/" + action))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private ResponseEntity<byte[]> pass(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(request.timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        return ResponseEntity.status(r.statusCode()).contentType(MediaType.APPLICATION_JSON).body(r.body());
    }
}
