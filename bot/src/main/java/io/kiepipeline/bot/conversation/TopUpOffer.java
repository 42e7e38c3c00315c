package io.kiepipeline.bot.conversation;

import java.util.List;

/**
 * What a user can top up with (configuration): Telegram Stars packages and a custom number of Stars, each Star worth
 * {@code minorPerStar} of the balance's currency; and, where the operator has a payment provider, card packages in
 * that currency.
 *
 * @param starPackages  the Stars packages offered as buttons (empty: no Stars)
 * @param minorPerStar  what one Star adds to the balance, in minor units
 * @param maxStars      the most Stars one custom top-up may be
 * @param cardPackages  card top-ups offered, in minor units of {@code currency} (empty: no card payments)
 * @param currency      the balance's currency
 */
public record TopUpOffer(List<Long> starPackages, long minorPerStar, long maxStars, List<Long> cardPackages,
                         String currency) {
    public TopUpOffer {
        starPackages = List.copyOf(starPackages);
        cardPackages = List.copyOf(cardPackages);
        if (minorPerStar <= 0 && !starPackages.isEmpty()) {
            throw new IllegalArgumentException("a Star must be worth something: minorPerStar " + minorPerStar);
        }
        if (starPackages.stream().anyMatch(n -> n <= 0 || n > maxStars)
                || cardPackages.stream().anyMatch(n -> n <= 0)) {
            throw new IllegalArgumentException("every package must be positive (Stars at most " + maxStars + ")");
        }
    }

    /** Stars: 50, 100, 250, 500 at 2.00 per Star, up to 10,000; no card payments. */
    public static TopUpOffer defaults(String currency) {
        return new TopUpOffer(List.of(50L, 100L, 250L, 500L), 200, 10_000, List.of(), currency);
    }

    public boolean stars() {
        return !starPackages.isEmpty();
    }
}
