package io.kiepipeline.schemas;

/**
 * KIE's API families (kie-api.md §2, §3): each has its own create and status endpoints, request shape, status field
 * and callback body. The catalog names each model's family; the kie-worker calls the family's endpoints.
 */
public enum KieApiFamily {
    /** The unified jobs API: {@code POST /api/v1/jobs/createTask} with {@code {model, callBackUrl, input}}. */
    MARKET,
    /** Veo 3.1: {@code POST /api/v1/veo/generate}, flat body. */
    VEO,
    /** Runway: {@code POST /api/v1/runway/generate}, flat body, no model field. */
    RUNWAY,
    /** 4o Image (gpt-image-1): {@code POST /api/v1/gpt4o-image/generate}, flat body, no model field. */
    GPT4O_IMAGE,
    /** Flux Kontext: {@code POST /api/v1/flux/kontext/generate}, flat body. */
    FLUX_KONTEXT,
    /** Suno: {@code POST /api/v1/generate}, flat body; several callbacks per task. */
    SUNO
}
