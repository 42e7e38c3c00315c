package io.kiepipeline.orchestrator.catalog;

/** The catalog cannot be used: the message names the model and the field. The service does not start with it. */
public final class CatalogException extends IllegalStateException {
    CatalogException(String model, String field, String problem) {
        super("catalog: " + (model == null ? "" : "model " + model + ", ") + "field " + field + ": " + problem);
    }
}
