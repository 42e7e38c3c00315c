package io.kiepipeline.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** A KIE task's state, as KIE spells it on the wire (recordInfo and callbacks). */
public enum KieTaskState {
    WAITING, QUEUING, GENERATING, SUCCESS, FAIL;

    public boolean isTerminal() {
        return this == SUCCESS || this == FAIL;
    }

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static KieTaskState fromWire(String value) {
        if (value == null) {
            throw new IllegalArgumentException("state is missing");
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "waiting", "wait" -> WAITING;
            case "queuing", "queueing" -> QUEUING;
            case "generating", "running" -> GENERATING;
            case "success" -> SUCCESS;
            case "fail", "failed" -> FAIL;
            default -> throw new IllegalArgumentException("unknown KIE task state: " + value);
        };
    }
}
