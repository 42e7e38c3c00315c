package io.kiepipeline.bot.service;

import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** Re-hosted photos for the gateway's {@code GET /media/<token>} (the bot's port is not public). */
@RestController
class MediaController {
    private final MediaStore media;

    MediaController(MediaStore media) {
        this.media = media;
    }

    @GetMapping("/internal/media/{token}")
    ResponseEntity<byte[]> get(@PathVariable String token) {
        return media.find(token).map(m -> ResponseEntity.ok().contentType(MediaType.parseMediaType(m.contentType()))
                        .cacheControl(CacheControl.noStore()).body(m.bytes()))
                .orElseGet(() -> ResponseEntity.notFound().build());
    }
}
