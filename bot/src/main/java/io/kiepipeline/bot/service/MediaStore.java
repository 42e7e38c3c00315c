package io.kiepipeline.bot.service;

import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Photos re-hosted for KIE ({@code bot.media}): each under a 256-bit random token, kept for {@code ttl}. The token is
 * the only thing that names a photo, so the address given to KIE says nothing about the user nor the bot.
 */
public class MediaStore {
    private static final Logger log = LoggerFactory.getLogger(MediaStore.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** 32 random bytes, base64url without padding: 43 characters. */
    public static final String TOKEN_PATTERN = "[A-Za-z0-9_-]{43}";

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final Duration ttl;

    public MediaStore(JdbcTemplate jdbc, Clock clock, Duration ttl) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.ttl = ttl;
    }

    public record Media(String contentType, byte[] bytes) {
    }

    public static String newToken() {
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /** Stores a photo under its token, in the caller's transaction. */
    public void store(String token, long chatId, TelegramFiles.Downloaded file) {
        Instant now = clock.instant();
        jdbc.update("insert into media (token, chat_id, content_type, bytes, created_at, expires_at)"
                        + " values (?, ?, ?, ?, ?, ?)", token, chatId, file.contentType(), file.bytes(),
                Timestamp.from(now), Timestamp.from(now.plus(ttl)));
    }

    /** The photo under this token, unless it expired (or never was). */
    public Optional<Media> find(String token) {
        if (token == null || !token.matches(TOKEN_PATTERN)) {
            return Optional.empty();
        }
        List<Media> found = jdbc.query("select content_type, bytes from media where token = ? and expires_at > ?",
                (rs, i) -> new Media(rs.getString(1), rs.getBytes(2)), token, Timestamp.from(clock.instant()));
        return found.stream().findFirst();
    }

    /**
     * True when every photo is there and stays for at least {@code margin} more: a job confirmed now can still be
     * fetched by KIE.
     */
    public boolean allAlive(List<String> tokens, Duration margin) {
        if (tokens.isEmpty()) {
            return true;
        }
        Integer alive = jdbc.queryForObject("select count(*) from media where token = any (?) and expires_at > ?",
                Integer.class, tokens.toArray(String[]::new), Timestamp.from(clock.instant().plus(margin)));
        return alive != null && alive == tokens.size();
    }

    /** In the caller's transaction: the photos of a job just confirmed stay fetchable for a whole TTL from now. */
    public void keep(List<String> tokens) {
        if (!tokens.isEmpty()) {
            jdbc.update("update media set expires_at = greatest(expires_at, ?) where token = any (?)",
                    Timestamp.from(clock.instant().plus(ttl)), tokens.toArray(String[]::new));
        }
    }

    /** Deletes expired photos, in slices so that no long lock is held. */
    @Scheduled(fixedDelayString = "${pipeline.bot.media-purge-interval:10m}")
    public void purgeExpired() {
        int total = 0;
        int n;
        do {
            n = jdbc.update("delete from media where token in (select token from media where expires_at <= ?"
                    + " limit 500)", Timestamp.from(clock.instant()));
            total += n;
        } while (n == 500);
        if (total > 0) {
            log.atInfo().addKeyValue("deleted", total).log("bot.media-expired");
        }
    }
}
