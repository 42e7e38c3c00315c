package io.kiepipeline.platform.consuming;

import io.kiepipeline.schemas.MessageCodec.UnreadableMessageException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;
import org.apache.kafka.common.errors.RetriableException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.util.ClassUtils;

/**
 * Decides once, for every consumer, whether a failure is worth trying again. The decision walks the whole cause
 * chain: Spring, Hibernate and the JDBC driver wrap the real reason several layers deep.
 *
 * <ul>
 *   <li>{@link Kind#TRANSIENT}: the message is fine, the world is not (a refused or dropped database connection, a
 *       lock or serialization conflict, a statement or lock timeout, a broker that is unavailable). Tried again
 *       without limit, with back-off, the partition paused: never dead-lettered, since a money command in a
 *       dead-letter topic is money stuck.</li>
 *   <li>{@link Kind#POISON}: no retry can ever succeed (unreadable envelope, payload invalid against its schema).
 *       Straight to the dead-letter topic, from which an operator can replay it.</li>
 *   <li>{@link Kind#UNKNOWN}: anything else, most likely a bug. A few tries, then the dead-letter topic with an
 *       operator alert, so that one bad message never halts its partition for good.</li>
 * </ul>
 */
public final class Failures {
    public enum Kind { TRANSIENT, POISON, UNKNOWN }

    /**
     * SQLState classes and codes that mean "try again": 08 connection exception, 40 transaction rollback
     * (serialization failure, deadlock), 53 insufficient resources, 57P01-57P03 admin/crash shutdown and "cannot
     * connect now", 55P03 lock not available, 57014 statement timeout / query cancelled.
     */
    private static final Set<String> TRANSIENT_SQL_CLASSES = Set.of("08", "40", "53");
    private static final Set<String> TRANSIENT_SQL_STATES = Set.of("57P01", "57P02", "57P03", "55P03", "57014");

    /**
     * Whether this process has Hibernate: a service that reads its tables over plain JDBC has neither it nor JPA, and
     * a check against one of their classes would fail to load it there.
     */
    private static final boolean HIBERNATE =
            ClassUtils.isPresent("org.hibernate.StaleStateException", Failures.class.getClassLoader())
            && ClassUtils.isPresent("jakarta.persistence.OptimisticLockException", Failures.class.getClassLoader());

    private Failures() {
    }

    /** Hibernate's and JPA's "try again" failures; loaded only where Hibernate is. */
    private static final class HibernateFailures {
        static boolean isTransient(Throwable t) {
            return t instanceof org.hibernate.exception.JDBCConnectionException
                    || t instanceof org.hibernate.exception.LockAcquisitionException
                    || t instanceof org.hibernate.PessimisticLockException
                    || t instanceof jakarta.persistence.OptimisticLockException
                    || t instanceof org.hibernate.StaleStateException;
        }
    }

    public static Kind classify(Throwable failure) {
        Kind kind = Kind.UNKNOWN;
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
            if (t instanceof UnreadableMessageException) {
                return Kind.POISON;
            }
            if (isTransient(t)) {
                kind = Kind.TRANSIENT;
            }
        }
        return kind;
    }

    /**
     * True when the database refused what the message carries (SQLState class 22, data exception: a value too long,
     * a character it cannot store; 23502 not-null and 23514 check violations): the same message will be refused on
     * every try, so the consumer answers with a refusal event instead. A unique violation (23505) is not one: it is
     * a race that a retry resolves.
     */
    public static boolean isContentViolation(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("22") || state.equals("23502") || state.equals("23514")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isTransient(Throwable t) {
        if (t instanceof TransientDataAccessException || t instanceof RecoverableDataAccessException
                || t instanceof DataAccessResourceFailureException || t instanceof CannotCreateTransactionException
                || t instanceof SQLTransientException || t instanceof SQLRecoverableException
                || t instanceof RetriableException || t instanceof ConnectException
                || t instanceof SocketTimeoutException
                || t instanceof org.apache.kafka.common.errors.TimeoutException
                || HIBERNATE && HibernateFailures.isTransient(t)) {
            return true;
        }
        if (t instanceof SQLException sql && sql.getSQLState() != null) {
            String state = sql.getSQLState();
            return TRANSIENT_SQL_STATES.contains(state)
                    || (state.length() >= 2 && TRANSIENT_SQL_CLASSES.contains(state.substring(0, 2)));
        }
        return false;
    }
}
