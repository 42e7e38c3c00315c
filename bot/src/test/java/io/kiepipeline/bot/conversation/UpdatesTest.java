package io.kiepipeline.bot.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiepipeline.bot.conversation.Updates.Read;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Updates as the Bot API documents them (https://core.telegram.org/bots/api#update), and forged ones. */
class UpdatesTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String FROM = "\"from\":{\"id\":7,\"is_bot\":false,\"first_name\":\"A\",\"language_code\":\"ru\"}";
    private static final String CHAT = "\"chat\":{\"id\":7,\"type\":\"private\"}";

    private static Read read(String json) {
        return Updates.read(JSON.readTree(json));
    }

    private static String message(String body) {
        return "{\"update_id\":1,\"message\":{\"message_id\":5,\"date\":1," + FROM + "," + CHAT + "," + body + "}}";
    }

    @Test
    void aCommandLosesItsSlashAndBotNameAndKeepsItsArguments() {
        assertThat(read(message("\"text\":\"/Start@kie_pipeline_bot ref_abc\""))).isEqualTo(new Read.Handle(
                new Incoming.Command(7, 7, "ru", "start", "ref_abc")));
    }

    @Test
    void anUpdateTooLargeForTheGatewayIsStillAnswered() {
        assertThat(read("{\"update_id\":1,\"oversized\":true,\"message\":{\"message_id\":5," + FROM + "," + CHAT
                + "}}")).isEqualTo(new Read.Handle(new Incoming.Other(7, 7, "ru", "oversized")));
    }

    @Test
    void aPreCheckoutQueryIsAPaymentToAnswer() {
        assertThat(read("{\"update_id\":3,\"pre_checkout_query\":{\"id\":\"pcq1\"," + FROM
                + ",\"currency\":\"XTR\",\"total_amount\":100,\"invoice_payload\":\"topup:x\"}}"))
                .isEqualTo(new Read.Handle(new Incoming.PreCheckout(7, 7, "ru", "pcq1", "XTR", 100, "topup:x")));
        assertThat(read("{\"update_id\":3,\"pre_checkout_query\":{\"id\":\"pcq1\"," + FROM
                + ",\"currency\":\"XTR\",\"total_amount\":\"100\"}}")).isInstanceOf(Read.Ignore.class);
    }

    @Test
    void aSuccessfulPaymentIsAReceiptWithItsChargeId() {
        assertThat(read(message("\"successful_payment\":{\"currency\":\"XTR\",\"total_amount\":100,"
                + "\"invoice_payload\":\"topup:x\",\"telegram_payment_charge_id\":\"ch1\","
                + "\"provider_payment_charge_id\":\"\"}"))).isEqualTo(new Read.Handle(new Incoming.Paid(7, 7, "ru",
                "XTR", 100, "topup:x", "ch1", "")));
        assertThat(read(message("\"successful_payment\":{\"currency\":\"XTR\",\"total_amount\":100}")))
                .isInstanceOf(Read.Ignore.class);
    }

    @Test
    void plainTextIsText() {
        assertThat(read(message("\"text\":\"a red fox\""))).isEqualTo(new Read.Handle(
                new Incoming.Text(7, 7, "ru", "a red fox")));
    }

    @Test
    void aPhotoIsReHostedFromItsLargestSize() {
        Read r = read(message("\"photo\":[{\"file_id\":\"small\",\"file_unique_id\":\"s\",\"width\":90,"
                + "\"height\":90},{\"file_id\":\"large\",\"file_unique_id\":\"l\",\"width\":1280,\"height\":960}],"
                + "\"caption\":\"make it blue\""));

        assertThat(r).isEqualTo(new Read.Rehost(new Updates.PhotoUpload(7, 7, "ru", "large", "make it blue")));
    }

    @Test
    void aButtonTapIsATapWithItsQueryMessageAndData() {
        Read r = read("{\"update_id\":2,\"callback_query\":{\"id\":\"4382\"," + FROM + ",\"message\":{"
                + "\"message_id\":77,\"date\":1," + CHAT + ",\"text\":\"Pick\"},\"chat_instance\":\"x\","
                + "\"data\":\"m:nano-banana-pro\"}}");

        assertThat(r).isEqualTo(new Read.Handle(new Incoming.Tap(7, 7, "ru", "4382", 77, "m:nano-banana-pro")));
    }

    @Test
    void stickersVoiceAndDocumentsAreOtherKindsThatStillGetAnAnswer() {
        assertThat(read(message("\"sticker\":{\"file_id\":\"x\"}"))).isEqualTo(new Read.Handle(
                new Incoming.Other(7, 7, "ru", "sticker")));
        assertThat(read(message("\"voice\":{\"file_id\":\"x\"}"))).isInstanceOf(Read.Handle.class);
        assertThat(read(message("\"document\":{\"file_id\":\"x\"}"))).isInstanceOf(Read.Handle.class);
    }

    @Test
    void groupsBotsEditsAndNonsenseAreIgnored() {
        assertThat(read("{\"update_id\":1,\"message\":{\"message_id\":5," + FROM
                + ",\"chat\":{\"id\":-100,\"type\":\"group\"},\"text\":\"/start\"}}")).isInstanceOf(Read.Ignore.class);
        assertThat(read("{\"update_id\":1,\"message\":{\"message_id\":5,\"from\":{\"id\":9,\"is_bot\":true},"
                + CHAT + ",\"text\":\"hi\"}}")).isInstanceOf(Read.Ignore.class);
        assertThat(read("{\"update_id\":1,\"edited_message\":{\"message_id\":5," + FROM + "," + CHAT
                + ",\"text\":\"hi\"}}")).isInstanceOf(Read.Ignore.class);
        assertThat(read("{\"update_id\":1}")).isInstanceOf(Read.Ignore.class);
        assertThat(read("[1,2]")).isInstanceOf(Read.Ignore.class);
        assertThat(read(message("\"text\":null"))).isInstanceOf(Read.Ignore.class);
    }

    @Test
    void aForgedUpdateCannotCarryMoreThanTelegramAllows() {
        Read huge = read(message("\"text\":\"" + "x".repeat(100_000) + "\""));
        Read longData = read("{\"update_id\":2,\"callback_query\":{\"id\":\"1\"," + FROM + ",\"message\":{"
                + "\"message_id\":77," + CHAT + "},\"data\":\"" + "d".repeat(65) + "\"}}");

        assertThat(huge).isInstanceOfSatisfying(Read.Handle.class, h -> assertThat(
                ((Incoming.Text) h.incoming()).text()).hasSize(Updates.MAX_TEXT));
        assertThat(longData).isInstanceOfSatisfying(Read.Handle.class, h -> assertThat(
                ((Incoming.Tap) h.incoming()).data()).isEmpty());
    }

    @Test
    void theUpdateIdIsReadForTheInbox() {
        JsonNode update = JSON.readTree(message("\"text\":\"hi\""));

        assertThat(Updates.id(update)).contains(1L);
        assertThat(Updates.id(JSON.readTree("{\"update_id\":\"1\"}"))).isEmpty();
    }
}
