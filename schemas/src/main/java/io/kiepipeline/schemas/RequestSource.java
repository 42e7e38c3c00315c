package io.kiepipeline.schemas;

/** Where a generation request came from. */
public enum RequestSource {
    API, TELEGRAM
}
