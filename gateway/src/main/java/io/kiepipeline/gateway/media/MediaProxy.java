package io.kiepipeline.gateway.media;

import io.kiepipeline.platform.http.ServiceInstances;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

/**
 * {@code GET /media/<token>.<ext>}: a photo a user sent, re-hosted for KIE to fetch (ADR 11). The bot keeps the bytes
 * under a 256-bit random token until it expires; the gateway, the only public ingress, passes the request on to it.
 * No other authentication: the token is the capability, and it names nothing else (not the user, not the bot). A
 * name of any other shape is 404 without asking the bot.
 */
@RestController
public class MediaProxy {
    private static final Logger log = LoggerFactory.getLogger(MediaProxy.class);
    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9_-]{43})(?:\\.(?:jpg|jpeg|png|webp|gif))?");

    private final ServiceInstances bots;
    /** Photos served at once (each up to 10 MB in memory): beyond it, 503 and the fetcher tries again. */
    private final java.util.concurrent.Semaphore serving = new java.util.concurrent.Semaphore(MAX_AT_ONCE);
    static final int MAX_AT_ONCE = 4;

    public MediaProxy(io.kiepipeline.gateway.GatewaySettings settings) {
        String botUrl = settings.botUrl();
        // several bot instances share one database: any of them serves any photo, so one that is down is skipped
        this.bots = new ServiceInstances(RestClient.builder(), botUrl, Duration.ofSeconds(2), Duration.ofSeconds(20));
    }

    @GetMapping("/media/{name}")
    ResponseEntity<byte[]> media(@PathVariable String name) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            return ResponseEntity.notFound().build();
        }
        if (!serving.tryAcquire()) {
            log.atWarn().log("media.busy; answered 503");
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header("Retry-After", "1").build();
        }
        try {
            return fetch(m.group(1));
        } finally {
            serving.release();
        }
    }

    private ResponseEntity<byte[]> fetch(String token) {
        try {
            ResponseEntity<byte[]> found = bots.read(bot -> bot.get().uri("/internal/media/{token}", token).retrieve()
                    .toEntity(byte[].class));
            MediaType type = found.getHeaders().getContentType();
            return ResponseEntity.ok().contentType(type != null ? type : MediaType.APPLICATION_OCTET_STREAM)
                    .cacheControl(CacheControl.noStore()).body(found.getBody());
        } catch (HttpClientErrorException.NotFound e) {
            return ResponseEntity.notFound().build();
        } catch (RestClientException e) {
            log.atWarn().addKeyValue("error", e.getClass().getSimpleName()).log("media.unavailable; no bot answered");
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).build();
        }
    }
}
