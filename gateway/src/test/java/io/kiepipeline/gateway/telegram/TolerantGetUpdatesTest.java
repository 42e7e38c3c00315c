package io.kiepipeline.gateway.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.telegram.telegrambots.meta.api.methods.updates.GetUpdates;
import org.telegram.telegrambots.meta.api.objects.Update;
import org.telegram.telegrambots.meta.exceptions.TelegramApiRequestException;

class TolerantGetUpdatesTest {
    private static final String BATCH = """
            {"ok":true,"result":[
              {"update_id":10,"message":{"message_id":1,"date":1,"chat":{"id":42,"type":"private"},"text":"/balance"}},
              {"update_id":11,"message":{"message_id":2,"date":"yesterday","chat":{"id":"not a number"}}},
              {"update_id":12,"message":{"message_id":3,"date":1,"chat":{"id":43,"type":"private"},"text":"hi"}}
            ]}""";

    @Test
    void oneUnreadableUpdateFailsTheWholeBatchInTheLibrary() {
        assertThatThrownBy(() -> new GetUpdates(0, 100, 0, List.of()).deserializeResponse(BATCH))
                .isInstanceOf(TelegramApiRequestException.class);
    }

    @Test
    void keepsEveryUpdateAsTelegramSentItEvenOnesTheLibraryCannotRead() throws Exception {
        Map<Integer, String> raw = new HashMap<>();
        List<Update> updates = new TolerantGetUpdates(0, 100, 0, List.of(), raw).deserializeResponse(BATCH);

        assertThat(updates).extracting(Update::getUpdateId).containsExactly(10, 11, 12);
        assertThat(raw).containsOnlyKeys(10, 11, 12);
        assertThat(raw.get(10)).contains("\"text\":\"/balance\"");
        assertThat(raw.get(11)).contains("\"date\":\"yesterday\"").contains("\"id\":\"not a number\"");
    }

    @Test
    void skipsAnEntryWithoutAnUpdateId() throws Exception {
        Map<Integer, String> raw = new HashMap<>();
        List<Update> updates = new TolerantGetUpdates(0, 100, 0, List.of(), raw).deserializeResponse(
                "{\"ok\":true,\"result\":[{\"message\":{}},{\"update_id\":\"x\"},{\"update_id\":5}]}");

        assertThat(updates).extracting(Update::getUpdateId).containsExactly(5);
        assertThat(raw).containsOnlyKeys(5);
    }

    @Test
    void errorAnswersStillFailAsTheLibraryReportsThem() {
        assertThatThrownBy(() -> new TolerantGetUpdates(0, 100, 0, List.of(), new HashMap<>()).deserializeResponse(
                "{\"ok\":false,\"error_code\":409,\"description\":\"Conflict: terminated by other getUpdates\"}"))
                .isInstanceOf(TelegramApiRequestException.class);
    }
}
