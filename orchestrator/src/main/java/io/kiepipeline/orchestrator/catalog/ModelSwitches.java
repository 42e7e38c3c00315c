package io.kiepipeline.orchestrator.catalog;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * An admin's switches of a model at run time (the bot's {@code /admin model <id> on|off|free|paid}): stored in
 * {@code model_switch}, applied to the catalog at once on this instance and within {@link #RELOAD_MS} on the others.
 * A quote made before a switch is requoted when confirmed (its price no longer holds), never charged differently.
 */
@RestController
class ModelSwitches {
    static final long RELOAD_MS = 3_000;
    private static final Logger log = LoggerFactory.getLogger(ModelSwitches.class);

    private final JdbcTemplate jdbc;
    private final ModelCatalog catalog;
    private final Clock clock;

    ModelSwitches(JdbcTemplate jdbc, ModelCatalog catalog, Clock clock) {
        this.jdbc = jdbc;
        this.catalog = catalog;
        this.clock = clock;
    }

    /**
     * Body: {@code {"model": "<id>", "enabled": true|false|null, "free": true|false|null, "by": "<who>"}}; null keeps
     * the file's. (The id is in the body: model ids hold slashes.)
     */
    @PostMapping("/internal/admin/model-switches")
    ResponseEntity<Map<String, Object>> set(@RequestBody JsonNode body) {
        String modelId = body.path("model").asString("");
        if (catalog.find(modelId).isEmpty()) {
            return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "unknown_model", "message",
                    "no model " + modelId));
        }
        Boolean enabled = body.path("enabled").isBoolean() ? body.get("enabled").asBoolean() : null;
        Boolean free = body.path("free").isBoolean() ? body.get("free").asBoolean() : null;
        String by = body.path("by").asString("admin");
        jdbc.update("""
                insert into model_switch (model_id, enabled, free, updated_by, updated_at) values (?, ?, ?, ?, ?)
                on conflict (model_id) do update set enabled = coalesce(excluded.enabled, model_switch.enabled),
                    free = coalesce(excluded.free, model_switch.free), updated_by = excluded.updated_by,
                    updated_at = excluded.updated_at""", modelId, enabled, free, by.length() > 100
                ? by.substring(0, 100) : by, Timestamp.from(clock.instant()));
        reload();
        CatalogModel now = catalog.find(modelId).orElseThrow();
        log.atInfo().addKeyValue("model", modelId).addKeyValue("enabled", now.enabled()).addKeyValue("free", now.free())
                .addKeyValue("by", by).log("catalog.model-switched");
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("model", modelId);
        answer.put("enabled", now.enabled());
        answer.put("free", now.free());
        return ResponseEntity.ok(answer);
    }

    @Scheduled(initialDelay = 0, fixedDelay = RELOAD_MS)
    void reload() {
        Map<String, ModelCatalog.Switch> read = new HashMap<>();
        jdbc.query("select model_id, enabled, free from model_switch", rs -> {
            read.put(rs.getString(1), new ModelCatalog.Switch((Boolean) rs.getObject(2), (Boolean) rs.getObject(3)));
        });
        catalog.switchTo(read);
    }
}
