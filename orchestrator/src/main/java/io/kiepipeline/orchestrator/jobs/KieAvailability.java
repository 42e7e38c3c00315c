package io.kiepipeline.orchestrator.jobs;

import io.kiepipeline.platform.messaging.Envelope;
import io.kiepipeline.platform.messaging.Envelopes;
import io.kiepipeline.schemas.KieAccountEvent;
import io.kiepipeline.schemas.MessageCodec;
import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Whether KIE can take tasks, from the kie-worker's published accounts' state ({@code kie-worker.accounts}): the
 * newest version is kept (two kie-workers may publish out of order), or an observation five minutes newer than the
 * kept one whatever its version (the kie-worker's counter restarted with a restored database). Read in the job-making transaction: while no key
 * is available, new requests are refused before any hold. Unknown (nothing published yet) counts as available.
 */
@Component
@RestController
public class KieAvailability {
    private static final Logger log = LoggerFactory.getLogger(KieAvailability.class);
    private final JdbcTemplate jdbc;

    KieAvailability(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public boolean available() {
        List<Boolean> rows = jdbc.queryForList("select any_available from kie_accounts_state where id = 1",
                Boolean.class);
        return rows.isEmpty() || Boolean.TRUE.equals(rows.getFirst());
    }

    @KafkaListener(id = "orchestrator-kie-accounts", topics = "kie-worker.accounts")
    void onAccounts(ConsumerRecord<String, String> record) {
        apply(Envelopes.read(record));
    }

    @Transactional
    public void apply(Envelope envelope) {
        if (!(envelope.message() instanceof KieAccountEvent.KieAccountsObserved seen)) {
            return;
        }
        boolean before = available();
        int changed = jdbc.update("""
                insert into kie_accounts_state (id, version, any_available, snapshot, updated_at)
                values (1, ?, ?, ?, ?)
                on conflict (id) do update set version = excluded.version, any_available = excluded.any_available,
                  snapshot = excluded.snapshot, updated_at = excluded.updated_at
                where kie_accounts_state.version < excluded.version
                   -- a kie-worker database restored to an older version counter: a much newer observation still wins
                   or kie_accounts_state.updated_at < excluded.updated_at - interval '5 minutes'""",
                seen.version(), seen.anyAvailable(),
                MessageCodec.toJson(seen), Timestamp.from(seen.observedAt()));
        if (changed == 1 && before != seen.anyAvailable()) {
            var line = seen.anyAvailable() ? log.atInfo() : log.atError();
            line.addKeyValue("version", seen.version()).log(seen.anyAvailable()
                    ? "kie.available; new requests are taken again"
                    : "kie.unavailable; operator: every KIE key is refused (see GET /api/v1/admin/kie); new requests"
                    + " are refused before any hold, running jobs wait");
        }
    }

    /** For operators ({@code GET /api/v1/admin/kie}): every key's breaker and credits, as last published. */
    @GetMapping("/internal/kie-accounts")
    Map<String, Object> accounts() {
        Map<String, Object> body = new LinkedHashMap<>();
        List<Map<String, Object>> rows = jdbc.queryForList("select version, any_available, snapshot, updated_at "
                + "from kie_accounts_state where id = 1");
        if (rows.isEmpty()) {
            body.put("available", true);
            body.put("keys", List.of());
            body.put("note", "the kie-worker has not published its accounts' state yet");
            return body;
        }
        Map<String, Object> row = rows.getFirst();
        body.put("available", row.get("any_available"));
        body.put("version", row.get("version"));
        body.put("observedAt", ((Timestamp) row.get("updated_at")).toInstant().toString());
        body.put("keys", MessageCodec.mapper().readTree((String) row.get("snapshot")).get("keys"));
        return body;
    }
}
