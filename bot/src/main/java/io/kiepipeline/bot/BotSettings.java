package io.kiepipeline.bot;

import static io.kiepipeline.platform.config.InvalidSettingException.require;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The bot's settings ({@code pipeline.bot} in bot.yml, where each names its variable). A value out of bounds stops
 * the start, naming its variable and the rule.
 *
 * @param orchestratorUrl    the orchestrator's instances (ORCHESTRATOR_URL)
 * @param ledgerUrl          the ledger's instances (LEDGER_URL)
 * @param callTimeout        how long one call to them may take (BOT_CALL_TIMEOUT)
 * @param catalogRefresh     how often the catalog is read again (BOT_CATALOG_REFRESH)
 * @param botToken           the bot's token (TELEGRAM_BOT_TOKEN; a secret)
 * @param telegramBaseUrl    the Bot API (TELEGRAM_API_BASE_URL)
 * @param publicBaseUrl      where KIE fetches re-hosted photos (PUBLIC_BASE_URL); empty: no photo inputs
 * @param mediaTtl           how long a re-hosted photo can be fetched (BOT_MEDIA_TTL)
 * @param photoMaxBytes      the largest photo taken from a user
 * @param username           the bot's @username, for /invite links (TELEGRAM_BOT_USERNAME)
 * @param adminUserIds       Telegram user ids of the admins, comma-separated (ADMIN_USER_IDS)
 * @param broadcastPerSecond how fast an admin's broadcast goes out (BOT_BROADCAST_PER_SECOND), 1 to 30
 * @param freeDailyPerUser   the free tier's daily limit the menus show (FREE_DAILY_PER_USER; the orchestrator
 *                           enforces it)
 */
@ConfigurationProperties("pipeline.bot")
public record BotSettings(String orchestratorUrl, String ledgerUrl, Duration callTimeout, Duration catalogRefresh,
                          String botToken, String telegramBaseUrl, String publicBaseUrl, Duration mediaTtl,
                          long photoMaxBytes, String username, String adminUserIds, int broadcastPerSecond,
                          int freeDailyPerUser, Topup topup, Bonus bonus) {
    public BotSettings {
        username = username == null ? "" : username.trim();
        adminUserIds = adminUserIds == null ? "" : adminUserIds;
        topup = topup == null ? new Topup(List.of(50L, 100L, 250L, 500L), 200, 10_000, List.of()) : topup;
        bonus = bonus == null ? new Bonus(0, 0) : bonus;
        io.kiepipeline.platform.config.InvalidSettingException.requireUrls(orchestratorUrl, "orchestrator-url");
        io.kiepipeline.platform.config.InvalidSettingException.requireUrls(ledgerUrl, "ledger-url");
        require(telegramBaseUrl != null && telegramBaseUrl.matches("https?://\\S+"), "telegram-base-url",
                "must be an http(s) URL", telegramBaseUrl);
        require(callTimeout != null && callTimeout.compareTo(Duration.ofMillis(100)) >= 0
                        && callTimeout.compareTo(Duration.ofMinutes(1)) <= 0, "call-timeout", "must be 100ms to 1m",
                callTimeout);
        require(catalogRefresh != null && catalogRefresh.compareTo(Duration.ofSeconds(1)) >= 0, "catalog-refresh",
                "must be at least 1s", catalogRefresh);
        require(mediaTtl != null && mediaTtl.compareTo(Duration.ofMinutes(5)) >= 0, "media-ttl",
                "must be at least 5m (KIE fetches a photo some time after the job starts)", mediaTtl);
        require(photoMaxBytes >= 1024, "photo-max-bytes", "must be at least 1024", photoMaxBytes);
        require(username.isEmpty() || username.matches("@?[A-Za-z][A-Za-z0-9_]{3,31}"), "username",
                "must be empty or a Telegram bot username (5 to 32 of A-Z a-z 0-9 _)", username);
        require(Arrays.stream(adminUserIds.split(",")).map(String::trim).allMatch(id -> id.isEmpty()
                || id.matches("[1-9][0-9]{0,18}")), "admin-user-ids",
                "must be Telegram user ids (positive numbers), comma-separated", adminUserIds);
        require(broadcastPerSecond >= 1 && broadcastPerSecond <= 30, "broadcast-per-second",
                "must be 1 to 30 (Telegram's own limit)", broadcastPerSecond);
        require(freeDailyPerUser >= 0, "free-daily-per-user", "must be 0 (no limit) or more", freeDailyPerUser);
    }

    /** The admins' Telegram user ids. */
    public Set<Long> admins() {
        return Arrays.stream(adminUserIds.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(Long::parseLong).collect(Collectors.toUnmodifiableSet());
    }


    /**
     * @param starPackages Stars packages /topup offers (TOPUP_STAR_PACKAGES; empty: none)
     * @param minorPerStar what one Star adds to the balance, in minor units (TOPUP_MINOR_PER_STAR)
     * @param maxStars     the most Stars of one custom top-up (TOPUP_MAX_STARS)
     * @param cardPackages card top-ups in minor units (TOPUP_CARD_PACKAGES; empty: none)
     */
    public record Topup(List<Long> starPackages, long minorPerStar, long maxStars, List<Long> cardPackages) {
        public Topup {
            starPackages = starPackages == null ? List.of() : List.copyOf(starPackages);
            cardPackages = cardPackages == null ? List.of() : List.copyOf(cardPackages);
            require(maxStars >= 1 && maxStars <= 100_000, "max-stars", "must be 1 to 100000 (Telegram's own limit"
                    + " for one invoice is 10000)", maxStars);
            long most = maxStars;
            require(starPackages.stream().allMatch(n -> n >= 1 && n <= most), "star-packages",
                    "must be numbers of Stars from 1 to max-stars (" + maxStars + "), comma-separated", starPackages);
            require(starPackages.isEmpty() || minorPerStar >= 1, "minor-per-star",
                    "must be at least 1 while Stars packages are offered", minorPerStar);
            require(cardPackages.stream().allMatch(n -> n >= 1), "card-packages",
                    "must be amounts in minor units of at least 1, comma-separated", cardPackages);
        }
    }

    /**
     * @param welcomeMinor  credited once to every new user (WELCOME_BONUS_MINOR)
     * @param referralMinor credited once to an inviter (REFERRAL_BONUS_MINOR)
     */
    public record Bonus(long welcomeMinor, long referralMinor) {
        public Bonus {
            require(welcomeMinor >= 0, "welcome-minor", "must not be negative", welcomeMinor);
            require(referralMinor >= 0, "referral-minor", "must not be negative", referralMinor);
        }
    }
}
