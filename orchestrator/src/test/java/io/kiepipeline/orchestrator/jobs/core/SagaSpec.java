package io.kiepipeline.orchestrator.jobs.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.schemas.Message;
import java.time.Instant;
import java.util.List;

/** given(a job).when(an event).then(the state and the messages it emits). */
final class SagaSpec {
    private final JobSaga saga = new JobSaga(Jobs.SETTINGS);
    private JobState state;
    private Reaction reaction;

    static SagaSpec given(JobState state) {
        SagaSpec spec = new SagaSpec();
        spec.state = state;
        return spec;
    }

    SagaSpec when(Message event) {
        reaction = saga.react(state, event, Jobs.NOW);
        state = reaction.next();
        return this;
    }

    SagaSpec and(Message event) {
        return when(event);
    }

    SagaSpec whenTimeIs(Instant now) {
        reaction = saga.tick(state, now);
        state = reaction.next();
        return this;
    }

    SagaSpec thenStatus(JobStatus status) {
        assertThat(state.status()).isEqualTo(status);
        return this;
    }

    SagaSpec thenHold(HoldState hold) {
        assertThat(state.hold()).isEqualTo(hold);
        return this;
    }

    @SafeVarargs
    final SagaSpec thenEmits(Class<? extends Message>... types) {
        assertThat(reaction.emit().stream().map(m -> (Object) m.getClass()).toList()).containsExactly((Object[]) types);
        return this;
    }

    SagaSpec thenIgnores() {
        assertThat(reaction.changed()).as(reaction.step()).isFalse();
        assertThat(reaction.emit()).isEmpty();
        return this;
    }

    List<Message> emitted() {
        return reaction.emit();
    }

    JobState state() {
        return state;
    }
}
