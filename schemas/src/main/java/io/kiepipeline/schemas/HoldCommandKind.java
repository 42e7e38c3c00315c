package io.kiepipeline.schemas;

/** Which hold command the ledger refused. */
public enum HoldCommandKind {
    CAPTURE, RELEASE
}
