package io.kiepipeline.platform.consuming;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.platform.consuming.Failures.Kind;
import io.kiepipeline.schemas.MessageCodec.UnreadableMessageException;
import java.net.ConnectException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.orm.ObjectOptimisticLockingFailureException;
import org.springframework.transaction.CannotCreateTransactionException;

class FailuresTest {
    @Test
    void treatsARefusedDatabaseConnectionAsTransient() {
        var e = new ListenerExecutionFailedException("listener failed", new CannotCreateTransactionException(
                "Could not open JPA EntityManager", new SQLException("Connection refused", "08001")));
        assertThat(Failures.classify(e)).isEqualTo(Kind.TRANSIENT);
    }

    @Test
    void treatsLockConflictsAndTimeoutsAsTransient() {
        assertThat(Failures.classify(new CannotAcquireLockException("lock", new SQLException("x", "55P03"))))
                .isEqualTo(Kind.TRANSIENT);
        assertThat(Failures.classify(new ObjectOptimisticLockingFailureException("Hold", 1))).isEqualTo(
                Kind.TRANSIENT);
        assertThat(Failures.classify(new RuntimeException(new SQLException("canceling statement", "57014"))))
                .isEqualTo(Kind.TRANSIENT);
        assertThat(Failures.classify(new RuntimeException(new SQLException("terminating connection", "57P01"))))
                .isEqualTo(Kind.TRANSIENT);
        assertThat(Failures.classify(new IllegalStateException(new ConnectException("refused"))))
                .isEqualTo(Kind.TRANSIENT);
        assertThat(Failures.classify(new org.apache.kafka.common.errors.NotEnoughReplicasException("isr")))
                .isEqualTo(Kind.TRANSIENT);
    }

    @Test
    void treatsAnUnreadableMessageAsPoisonWhateverWrapsIt() {
        var e = new ListenerExecutionFailedException("listener failed",
                new UnreadableMessageException("record has no event-type header"));
        assertThat(Failures.classify(e)).isEqualTo(Kind.POISON);
    }

    @Test
    void recognisesWhatTheDatabaseRefusesBecauseOfTheMessagesContent() {
        assertThat(Failures.isContentViolation(new DataIntegrityViolationException("nul",
                new SQLException("invalid byte sequence for encoding \"UTF8\": 0x00", "22021")))).isTrue();
        assertThat(Failures.isContentViolation(new RuntimeException(new SQLException("check", "23514")))).isTrue();
        assertThat(Failures.isContentViolation(new DataIntegrityViolationException("dup",
                new SQLException("duplicate key", "23505")))).as("a race, not the content").isFalse();
        assertThat(Failures.isContentViolation(new CannotAcquireLockException("lock",
                new SQLException("x", "55P03")))).isFalse();
    }

    @Test
    void leavesAConstraintViolationAndABugUnknown() {
        assertThat(Failures.classify(new DataIntegrityViolationException("too long",
                new SQLException("value too long for type character varying(120)", "22001"))))
                .isEqualTo(Kind.UNKNOWN);
        assertThat(Failures.classify(new NullPointerException())).isEqualTo(Kind.UNKNOWN);
    }
}
