package io.kiepipeline.orchestrator.jobs.core;

import io.kiepipeline.schemas.Message;
import java.util.List;

/**
 * What the saga decided: the job's next state, the messages to emit (through the outbox, in this order), and the
 * lifecycle step to log. An ignored input leaves the state as it was and says why.
 */
public record Reaction(JobState next, List<Message> emit, String step, boolean changed) {
    static Reaction to(JobState next, String step, Message... emit) {
        return new Reaction(next, List.of(emit), step, true);
    }

    static Reaction ignore(JobState state, String why) {
        return new Reaction(state, List.of(), why, false);
    }
}
