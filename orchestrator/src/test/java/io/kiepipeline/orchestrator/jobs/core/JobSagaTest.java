package io.kiepipeline.orchestrator.jobs.core;

import static io.kiepipeline.orchestrator.jobs.core.Jobs.aFreeJob;
import static io.kiepipeline.orchestrator.jobs.core.Jobs.aPaidJob;
import static io.kiepipeline.orchestrator.jobs.core.SagaSpec.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.schemas.JobEvent;
import io.kiepipeline.schemas.KieCommand;
import io.kiepipeline.schemas.KieTaskState;
import io.kiepipeline.schemas.LedgerCommand;
import io.kiepipeline.schemas.ReleaseReason;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class JobSagaTest {
    // Holding
    @Test
    void submitsTheTaskOnceTheHoldIsPlaced() {
        given(aPaidJob(JobStatus.AWAITING_HOLD, HoldState.REQUESTED)).when(Jobs.holdPlaced())
                .thenStatus(JobStatus.SUBMITTING).thenHold(HoldState.PLACED)
                .thenEmits(KieCommand.SubmitKieTask.class);
    }

    @Test
    void rejectsTheJobWhenTheHoldIsRefused() {
        var spec = given(aPaidJob(JobStatus.AWAITING_HOLD, HoldState.REQUESTED)).when(Jobs.holdRejected())
                .thenStatus(JobStatus.REJECTED).thenHold(HoldState.REJECTED).thenEmits(JobEvent.JobRejected.class);
        assertThat(spec.state().detail()).contains("insufficient funds");
    }

    @Test
    void submitsOnlyOnceWhenTheHoldIsReportedTwice() {
        given(aPaidJob(JobStatus.AWAITING_HOLD, HoldState.REQUESTED)).when(Jobs.holdPlaced())
                .and(Jobs.holdPlaced()).thenIgnores().thenStatus(JobStatus.SUBMITTING);
    }

    @Test
    void startsKiesDeadlineWhenTheHoldIsPlaced() {
        var spec = given(aPaidJob(JobStatus.AWAITING_HOLD, HoldState.REQUESTED)
                .withDeadline(Jobs.NOW.plus(Jobs.SETTINGS.holdTimeout()))).when(Jobs.holdPlaced())
                .thenEmits(KieCommand.SubmitKieTask.class);
        assertThat(spec.state().deadlineAt()).isEqualTo(Jobs.NOW.plus(Jobs.SETTINGS.timeout()));
        assertThat(((KieCommand.SubmitKieTask) spec.emitted().getFirst()).deadlineAt())
                .as("kie-worker refuses the command after this").isEqualTo(spec.state().deadlineAt());
    }

    @Test
    void neverSubmitsWhenTheHoldComesAfterTheDeadline() {
        var spec = given(aPaidJob(JobStatus.AWAITING_HOLD, HoldState.REQUESTED)
                .withDeadline(Jobs.NOW.minusSeconds(1))).when(Jobs.holdPlaced())
                .thenStatus(JobStatus.FAILED).thenHold(HoldState.RELEASING)
                .thenEmits(LedgerCommand.ReleaseHold.class, JobEvent.JobFailed.class);
        assertThat(((LedgerCommand.ReleaseHold) spec.emitted().getFirst()).reason())
                .isEqualTo(ReleaseReason.TIMED_OUT);
    }

    @Test
    void sendsPlaceHoldAgainWhileTheLedgerDoesNotAnswer() {
        var spec = given(aPaidJob(JobStatus.AWAITING_HOLD, HoldState.REQUESTED)
                .withPoll(0, Jobs.NOW.plus(Jobs.SETTINGS.reconcileAfter())))
                .whenTimeIs(Jobs.NOW.plusSeconds(61)).thenStatus(JobStatus.AWAITING_HOLD)
                .thenEmits(LedgerCommand.PlaceHold.class);
        assertThat(spec.state().nextPollAt()).isEqualTo(Jobs.NOW.plusSeconds(61)
                .plus(Jobs.SETTINGS.reconcileAfter()));
    }

    @Test
    void failsAndReleasesWhenTheLedgerNeverPlacesTheHold() {
        given(aPaidJob(JobStatus.AWAITING_HOLD, HoldState.REQUESTED)
                .withDeadline(Jobs.NOW.plus(Jobs.SETTINGS.holdTimeout())))
                .whenTimeIs(Jobs.NOW.plus(Jobs.SETTINGS.holdTimeout())).thenStatus(JobStatus.FAILED)
                .thenEmits(LedgerCommand.ReleaseHold.class, JobEvent.JobFailed.class);
    }

    @Test
    void sendsCaptureAgainWhileTheLedgerHasNotAnswered() {
        given(aPaidJob(JobStatus.SUCCEEDED, HoldState.CAPTURING).withPoll(0, Jobs.NOW))
                .whenTimeIs(Jobs.NOW.plusSeconds(1)).thenStatus(JobStatus.SUCCEEDED)
                .thenEmits(LedgerCommand.CaptureHold.class);
        given(aPaidJob(JobStatus.FAILED, HoldState.RELEASING).withPoll(0, Jobs.NOW))
                .whenTimeIs(Jobs.NOW.plusSeconds(1)).thenEmits(LedgerCommand.ReleaseHold.class);
    }

    @Test
    void schedulesAMoneyCheckWhenItAsksToCapture() {
        var spec = given(aPaidJob(JobStatus.RUNNING, HoldState.PLACED)).when(Jobs.observed(KieTaskState.SUCCESS))
                .thenHold(HoldState.CAPTURING);
        assertThat(spec.state().nextPollAt()).isEqualTo(Jobs.NOW.plus(Jobs.SETTINGS.reconcileAfter()));
        spec.and(Jobs.holdCaptured()).thenHold(HoldState.CAPTURED);
    }

    @Test
    void releasesAHoldPlacedAfterTheJobEnded() {
        // the job failed while its PlaceHold sat in a dead-letter topic; the ledger refused the release (no hold)
        var spec = given(aPaidJob(JobStatus.FAILED, HoldState.NONE).withReason("TIMED_OUT", "no hold in time"))
                .when(Jobs.holdPlaced()).thenStatus(JobStatus.FAILED).thenHold(HoldState.RELEASING)
                .thenEmits(LedgerCommand.ReleaseHold.class);
        assertThat(((LedgerCommand.ReleaseHold) spec.emitted().getFirst()).reason())
                .isEqualTo(ReleaseReason.TIMED_OUT);
        given(aPaidJob(JobStatus.REJECTED, HoldState.REJECTED).withReason("INSUFFICIENT_FUNDS", "poor"))
                .when(Jobs.holdPlaced()).thenEmits(LedgerCommand.ReleaseHold.class);
        given(aPaidJob(JobStatus.FAILED, HoldState.RELEASED)).when(Jobs.holdPlaced()).thenIgnores();
    }

    @Test
    void backsOffWhileTheLedgerKeepsNotAnswering() {
        var spec = given(aPaidJob(JobStatus.SUCCEEDED, HoldState.CAPTURING).withPoll(3, Jobs.NOW))
                .whenTimeIs(Jobs.NOW).thenEmits(LedgerCommand.CaptureHold.class);
        assertThat(spec.state().nextPollAt()).isEqualTo(Jobs.NOW.plus(Jobs.SETTINGS.reconcileAfter()
                .multipliedBy(8)));
    }

    @Test
    void stopsReconcilingWhenTheLedgerSaysTheHoldWasResolvedTheOtherWay() {
        given(aPaidJob(JobStatus.SUCCEEDED, HoldState.CAPTURING)).when(Jobs.refused(
                io.kiepipeline.schemas.HoldCommandKind.CAPTURE,
                io.kiepipeline.schemas.HoldRefusalReason.HOLD_ALREADY_RELEASED)).thenHold(HoldState.RELEASED);
    }

    // Callbacks that anyone could post
    @Test
    void confirmsAnUnsignedSuccessCallbackWithKieBeforeCharging() {
        var spec = given(aPaidJob(JobStatus.RUNNING, HoldState.PLACED)).when(Jobs.unsignedSuccessCallback(Jobs.TASK))
                .thenStatus(JobStatus.RUNNING).thenHold(HoldState.PLACED).thenEmits(KieCommand.PollKieTask.class);
        assertThat(((KieCommand.PollKieTask) spec.emitted().getFirst()).taskId()).isEqualTo(Jobs.TASK);
        spec.and(Jobs.observed(KieTaskState.SUCCESS)).thenStatus(JobStatus.SUCCEEDED)
                .thenEmits(LedgerCommand.CaptureHold.class, JobEvent.JobSucceeded.class);
        assertThat(spec.state().resultUrls()).as("KIE's URLs, not the callback's").isEqualTo(Jobs.URLS);
    }

    @Test
    void neverAdoptsTheTaskOfAnUnsignedCallback() {
        var spec = given(aPaidJob(JobStatus.SUBMITTING, HoldState.PLACED))
                .when(Jobs.unsignedSuccessCallback("task_of_someone_else")).thenStatus(JobStatus.SUBMITTING)
                .thenEmits(KieCommand.PollKieTask.class);
        assertThat(spec.state().taskId()).isNull();
        given(aPaidJob(JobStatus.RUNNING, HoldState.PLACED)).when(Jobs.unsignedSuccessCallback("task_other"))
                .thenIgnores();
    }

    @Test
    void pollsTheTaskACallbackNamedAgainWhenTheFirstAnswerIsLost() {
        var spec = given(aPaidJob(JobStatus.SUBMITTING, HoldState.PLACED))
                .when(Jobs.unsignedSuccessCallback(Jobs.TASK)).thenEmits(KieCommand.PollKieTask.class);
        assertThat(spec.state().candidateTaskId()).isEqualTo(Jobs.TASK);
        assertThat(spec.state().taskId()).as("a candidate, not yet the job's task").isNull();
        // KIE's answer to that poll was lost: the timer asks again
        spec.whenTimeIs(spec.state().nextPollAt()).thenStatus(JobStatus.SUBMITTING)
                .thenEmits(KieCommand.PollKieTask.class);
        assertThat(((KieCommand.PollKieTask) spec.emitted().getFirst()).taskId()).isEqualTo(Jobs.TASK);
        spec.and(Jobs.observed(KieTaskState.SUCCESS)).thenStatus(JobStatus.SUCCEEDED)
                .thenEmits(LedgerCommand.CaptureHold.class, JobEvent.JobSucceeded.class);
        assertThat(spec.state().taskId()).isEqualTo(Jobs.TASK);
        assertThat(spec.state().candidateTaskId()).isNull();
    }

    @Test
    void forgetsTheCandidateWhenKieAnswersTheSubmission() {
        var spec = given(aPaidJob(JobStatus.SUBMITTING, HoldState.PLACED))
                .when(Jobs.unsignedSuccessCallback("task_candidate")).and(Jobs.accepted())
                .thenStatus(JobStatus.RUNNING);
        assertThat(spec.state().taskId()).isEqualTo(Jobs.TASK);
        assertThat(spec.state().candidateTaskId()).isNull();
    }

    // Submitting
    @Test
    void recordsTheTaskAndSchedulesTheFallbackPollWhenKieAccepts() {
        var spec = given(aPaidJob(JobStatus.SUBMITTING, HoldState.PLACED)).when(Jobs.accepted())
                .thenStatus(JobStatus.RUNNING).thenEmits(JobEvent.JobSubmitted.class);
        assertThat(spec.state().taskId()).isEqualTo(Jobs.TASK);
        assertThat(spec.state().nextPollAt()).isEqualTo(Jobs.NOW.plus(Jobs.SETTINGS.callbackGrace()));
    }

    @Test
    void releasesTheHoldWhenKieRejectsTheTask() {
        var spec = given(aPaidJob(JobStatus.SUBMITTING, HoldState.PLACED)).when(Jobs.kieRejected())
                .thenStatus(JobStatus.FAILED).thenHold(HoldState.RELEASING)
                .thenEmits(LedgerCommand.ReleaseHold.class, JobEvent.JobFailed.class);
        assertThat(((LedgerCommand.ReleaseHold) spec.emitted().getFirst()).reason())
                .isEqualTo(ReleaseReason.KIE_REJECTED);
    }

    @Test
    void failsAFreeJobWithoutTouchingTheLedger() {
        given(aFreeJob(JobStatus.SUBMITTING)).when(Jobs.kieRejected()).thenStatus(JobStatus.FAILED)
                .thenHold(HoldState.NONE).thenEmits(JobEvent.JobFailed.class);
    }

    // Results
    @Test
    void capturesTheHoldOnceKieConfirmsTheSuccessACallbackReported() {
        given(aPaidJob(JobStatus.RUNNING, HoldState.PLACED)).when(Jobs.successCallback())
                .thenStatus(JobStatus.RUNNING).thenHold(HoldState.PLACED).thenEmits(KieCommand.PollKieTask.class)
                .and(Jobs.observed(KieTaskState.SUCCESS))
                .thenStatus(JobStatus.SUCCEEDED).thenHold(HoldState.CAPTURING)
                .thenEmits(LedgerCommand.CaptureHold.class, JobEvent.JobSucceeded.class);
    }

    @Test
    void confirmsEvenASignedSuccessBecauseTheSignatureDoesNotCoverTheResult() {
        var spec = given(aPaidJob(JobStatus.RUNNING, HoldState.PLACED)).when(Jobs.successCallback())
                .thenEmits(KieCommand.PollKieTask.class);
        assertThat(Jobs.successCallback().signatureVerified()).isTrue();
        assertThat(spec.state().resultUrls()).isEmpty();
    }

    @Test
    void capturesOnlyOnceForADuplicateCallback() {
        given(aPaidJob(JobStatus.RUNNING, HoldState.PLACED)).when(Jobs.observed(KieTaskState.SUCCESS))
                .and(Jobs.observed(KieTaskState.SUCCESS)).thenIgnores().and(Jobs.successCallback()).thenIgnores()
                .thenStatus(JobStatus.SUCCEEDED);
    }

    @Test
    void takesACallbackThatArrivesBeforeKieTaskAccepted() {
        var spec = given(aPaidJob(JobStatus.SUBMITTING, HoldState.PLACED)).when(Jobs.successCallback())
                .thenStatus(JobStatus.SUBMITTING).thenEmits(KieCommand.PollKieTask.class)
                .and(Jobs.observed(KieTaskState.SUCCESS)).thenStatus(JobStatus.SUCCEEDED)
                .thenEmits(LedgerCommand.CaptureHold.class, JobEvent.JobSucceeded.class);
        assertThat(spec.state().taskId()).isEqualTo(Jobs.TASK);
        spec.and(Jobs.accepted()).thenStatus(JobStatus.SUCCEEDED);
        assertThat(spec.emitted()).isEmpty();
    }

    @Test
    void ignoresASuccessForAJobThatAlreadyFailed() {
        given(aPaidJob(JobStatus.FAILED, HoldState.RELEASING)).when(Jobs.successCallback()).thenIgnores()
                .thenStatus(JobStatus.FAILED);
    }

    @Test
    void ignoresACallbackForAnotherTask() {
        given(aPaidJob(JobStatus.RUNNING, HoldState.PLACED)).when(Jobs.callbackFor("task_someone_else"))
                .thenIgnores().thenStatus(JobStatus.RUNNING);
    }

    @Test
    void releasesTheHoldWhenTheTaskFails() {
        given(aPaidJob(JobStatus.RUNNING, HoldState.PLACED)).when(Jobs.failureCallback())
                .thenStatus(JobStatus.FAILED).thenHold(HoldState.RELEASING)
                .thenEmits(LedgerCommand.ReleaseHold.class, JobEvent.JobFailed.class);
    }

    @Test
    void treatsAPolledTerminalStateLikeACallback() {
        given(aPaidJob(JobStatus.RUNNING, HoldState.PLACED)).when(Jobs.observed(KieTaskState.GENERATING))
                .thenIgnores().and(Jobs.observed(KieTaskState.SUCCESS)).thenStatus(JobStatus.SUCCEEDED)
                .thenEmits(LedgerCommand.CaptureHold.class, JobEvent.JobSucceeded.class)
                .and(Jobs.successCallback()).thenIgnores();
    }

    @Test
    void failsASuccessWithoutAResultInsteadOfCharging() {
        var noUrls = new io.kiepipeline.schemas.KieEvent.KieTaskStatusObserved(Jobs.JOB, Jobs.TASK,
                KieTaskState.SUCCESS, java.util.List.of(), null, null, 4L, Jobs.NOW);
        given(aPaidJob(JobStatus.RUNNING, HoldState.PLACED)).when(noUrls).thenStatus(JobStatus.FAILED)
                .thenEmits(LedgerCommand.ReleaseHold.class, JobEvent.JobFailed.class);
    }

    @Test
    void marksTheJobDeliveredOnce() {
        given(aPaidJob(JobStatus.SUCCEEDED, HoldState.CAPTURED)).when(Jobs.resultDelivered())
                .thenStatus(JobStatus.DELIVERED).thenEmits(JobEvent.JobDelivered.class)
                .and(Jobs.resultDelivered()).thenIgnores();
    }

    // Timing
    @Test
    void pollsWhenThePollIsDueAndBacksOff() {
        var spec = given(aPaidJob(JobStatus.RUNNING, HoldState.PLACED)).whenTimeIs(Jobs.NOW.plusSeconds(121))
                .thenStatus(JobStatus.RUNNING).thenEmits(KieCommand.PollKieTask.class);
        assertThat(spec.state().pollAttempts()).isEqualTo(1);
        assertThat(spec.state().nextPollAt()).isEqualTo(Jobs.NOW.plusSeconds(121).plusSeconds(6));
    }

    @Test
    void doesNothingBeforeThePollIsDue() {
        given(aPaidJob(JobStatus.RUNNING, HoldState.PLACED)).whenTimeIs(Jobs.NOW.plusSeconds(10)).thenIgnores();
    }

    @Test
    void timesOutAndReleasesTheHoldAfterTheDeadline() {
        var spec = given(aPaidJob(JobStatus.RUNNING, HoldState.PLACED))
                .whenTimeIs(Jobs.NOW.plus(Duration.ofMinutes(21))).thenStatus(JobStatus.FAILED)
                .thenEmits(LedgerCommand.ReleaseHold.class, JobEvent.JobFailed.class);
        assertThat(((LedgerCommand.ReleaseHold) spec.emitted().getFirst()).reason())
                .isEqualTo(ReleaseReason.TIMED_OUT);
    }

    @Test
    void neverTimesOutAFinishedJob() {
        given(aPaidJob(JobStatus.DELIVERED, HoldState.CAPTURED)).whenTimeIs(Jobs.NOW.plus(Duration.ofDays(1)))
                .thenIgnores();
    }

    @Test
    void capsThePollIntervalAtTheMaximum() {
        assertThat(Jobs.SETTINGS.pollDelay(false, 10)).isEqualTo(Jobs.SETTINGS.pollMaxInterval());
        assertThat(Jobs.SETTINGS.pollDelay(false, 0)).isEqualTo(Jobs.SETTINGS.pollInterval());
        assertThat(Jobs.SETTINGS.pollDelay(true, 0)).isEqualTo(Jobs.SETTINGS.callbackGrace());
    }

    // Late and abandoned tasks: KIE finishes (and bills) a task after its job timed out
    @Test
    void keepsWatchingATimedOutJobsTaskOnceItsHoldIsReleased() {
        var spec = given(aPaidJob(JobStatus.RUNNING, HoldState.PLACED))
                .whenTimeIs(Jobs.NOW.plus(Duration.ofMinutes(21))).thenStatus(JobStatus.FAILED)
                .thenHold(HoldState.RELEASING).and(Jobs.holdReleased()).thenHold(HoldState.RELEASED);
        assertThat(spec.state().nextPollAt()).isEqualTo(Jobs.NOW.plus(Jobs.SETTINGS.latePollDelay(0)));

        spec.whenTimeIs(Jobs.NOW.plus(Duration.ofMinutes(26))).thenStatus(JobStatus.FAILED)
                .thenEmits(KieCommand.PollKieTask.class);
        assertThat(((KieCommand.PollKieTask) spec.emitted().getFirst()).taskId()).isEqualTo(Jobs.TASK);
        assertThat(spec.state().nextPollAt()).isEqualTo(Jobs.NOW.plus(Duration.ofMinutes(26))
                .plus(Jobs.SETTINGS.latePollDelay(1)));
    }

    @Test
    void deliversALateResultFreeAndOnlyOnce() {
        given(timedOutAndReleased()).when(Jobs.observed(KieTaskState.SUCCESS)).thenStatus(JobStatus.FAILED)
                .thenHold(HoldState.RELEASED).thenEmits(JobEvent.JobLateResult.class)
                .and(Jobs.observed(KieTaskState.SUCCESS)).thenIgnores()
                .and(Jobs.successCallback()).thenIgnores();
    }

    @Test
    void confirmsALateCallbackWithKieBeforeDeliveringIt() {
        given(timedOutAndReleased()).when(Jobs.successCallback()).thenStatus(JobStatus.FAILED)
                .thenEmits(KieCommand.PollKieTask.class);
    }

    @Test
    void stopsWatchingWhenTheLateTaskFails() {
        var spec = given(timedOutAndReleased()).when(Jobs.observed(KieTaskState.FAIL)).thenStatus(JobStatus.FAILED)
                .thenEmits();
        assertThat(spec.state().nextPollAt()).isNull();
        spec.whenTimeIs(Jobs.NOW.plus(Duration.ofHours(1))).thenIgnores();
    }

    @Test
    void stopsWatchingADayAfterTheDeadline() {
        var spec = given(timedOutAndReleased()).whenTimeIs(Jobs.NOW.plus(Duration.ofMinutes(20))
                .plus(Jobs.SETTINGS.lateWatch()).plusSeconds(1)).thenEmits();
        assertThat(spec.state().nextPollAt()).isNull();
    }

    @Test
    void neverWatchesAJobThatFailedForAnotherReason() {
        var spec = given(aPaidJob(JobStatus.RUNNING, HoldState.PLACED)).when(Jobs.failureCallback())
                .and(Jobs.holdReleased());
        assertThat(spec.state().nextPollAt()).isNull();
        spec.when(Jobs.observed(KieTaskState.SUCCESS)).thenIgnores();
    }

    @Test
    void ignoresATaskACallbackNamedThatKieDoesNotKnow() {
        var notFound = new io.kiepipeline.schemas.KieEvent.KieTaskStatusObserved(Jobs.JOB, "task_forged",
                KieTaskState.FAIL, java.util.List.of(), "404", "KIE does not know this task", null, Jobs.NOW);
        given(aPaidJob(JobStatus.SUBMITTING, HoldState.PLACED)).when(notFound).thenIgnores()
                .thenStatus(JobStatus.SUBMITTING);
    }

    @Test
    void endsTheJobWhenKieNoLongerKnowsItsOwnTask() {
        var notFound = new io.kiepipeline.schemas.KieEvent.KieTaskStatusObserved(Jobs.JOB, Jobs.TASK,
                KieTaskState.FAIL, java.util.List.of(), "404", "KIE does not know this task", null, Jobs.NOW);
        given(aPaidJob(JobStatus.RUNNING, HoldState.PLACED)).when(notFound).thenStatus(JobStatus.FAILED)
                .thenEmits(LedgerCommand.ReleaseHold.class, JobEvent.JobFailed.class);
    }

    private static JobState timedOutAndReleased() {
        return aPaidJob(JobStatus.RUNNING, HoldState.PLACED).withStatus(JobStatus.FAILED)
                .withReason("TIMED_OUT", "KIE did not finish the task in time").withHold(HoldState.RELEASED)
                .withPoll(0, Jobs.NOW.plus(Duration.ofMinutes(25)));
    }
}
