package io.kiepipeline.orchestrator.catalog;

import io.kiepipeline.schemas.Language;

/** A text in every language the bot speaks. */
public record Localized(String en, String ru) {
    public String in(Language language) {
        return language == Language.RU ? ru : en;
    }
}
