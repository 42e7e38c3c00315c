package io.kiepipeline.orchestrator.catalog;

/** What a model does, as the bot's menus group them. */
public enum Category {
    TEXT_TO_IMAGE, IMAGE_EDIT, TEXT_TO_VIDEO, IMAGE_TO_VIDEO, AUDIO, UPSCALE
}
