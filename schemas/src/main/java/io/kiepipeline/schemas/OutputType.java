package io.kiepipeline.schemas;

/** What a model produces, which decides how the result is sent to the chat. */
public enum OutputType {
    IMAGE, VIDEO, AUDIO, TEXT
}
