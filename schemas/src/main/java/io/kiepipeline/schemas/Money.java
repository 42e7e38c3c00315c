package io.kiepipeline.schemas;

import java.util.Objects;

/** An amount in integer minor units of a currency (kopecks for RUB). Never a floating point number. */
public record Money(long minor, String currency) {
    public Money {
        Objects.requireNonNull(currency, "currency");
        if (!currency.matches("[A-Z]{3}")) {
            throw new IllegalArgumentException("currency must be an ISO 4217 code: " + currency);
        }
    }

    public static Money of(long minor, String currency) {
        return new Money(minor, currency);
    }


    /** Formats for people: 12345 RUB minor units → "123.45 RUB". */
    public String display() {
        long abs = Math.abs(minor);
        return (minor < 0 ? "-" : "") + abs / 100 + "." + String.format("%02d", abs % 100) + " " + currency;
    }
}
