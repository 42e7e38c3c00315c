package io.kiepipeline.schemas;

import java.time.Instant;
import java.util.List;

/**
 * Topic {@code kie-worker.accounts} (compacted, one key): the state of the KIE accounts (API keys) the kie-worker
 * uses. Its single writer is the kie-worker; the orchestrator refuses new requests while no key is available, and
 * shows the state to operators.
 */
public sealed interface KieAccountEvent extends Message {
    /** The one key of the topic: the latest record is the current state. */
    String KEY = "kie-accounts";

    @Override
    default String key() {
        return KEY;
    }

    /**
     * Every key's state after a change (a breaker opened or closed) or a credit check. {@code version} grows with
     * each observation, so a reader keeps the newest even when two kie-worker instances publish out of order.
     */
    record KieAccountsObserved(long version, List<KieKeyState> keys, Instant observedAt) implements KieAccountEvent {
        public KieAccountsObserved {
            keys = keys == null ? List.of() : List.copyOf(keys);
        }

        /** True when at least one key can take new tasks. */
        public boolean anyAvailable() {
            return keys.stream().anyMatch(KieKeyState::available);
        }
    }

    /**
     * One KIE API key, by a fingerprint ({@code keyId}, never the key). {@code available}: its breaker is closed.
     * {@code reason}: why it is open (KIE's code and message). {@code credits}: KIE's last answer to chat/credit.
     */
    record KieKeyState(String keyId, boolean available, String reason, Long credits, Instant creditsAt,
                       boolean creditsLow) {
    }
}
