package io.kiepipeline.delivery.sending;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.delivery.DeliveryWorkerApplication;
import io.kiepipeline.emulators.KieEmulator;
import io.kiepipeline.emulators.TelegramEmulator;
import io.kiepipeline.emulators.TelegramEmulator.Failure;
import io.kiepipeline.platform.messaging.Envelope;
import io.kiepipeline.schemas.ChatCommand;
import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.DeliveryEvent;
import io.kiepipeline.schemas.DeliveryFailureReason;
import io.kiepipeline.schemas.EventId;
import io.kiepipeline.schemas.JobEvent;
import io.kiepipeline.schemas.JobEvent.JobSucceeded;
import io.kiepipeline.schemas.JobId;
import io.kiepipeline.schemas.MessageCodec;
import io.kiepipeline.schemas.MessageTypes;
import io.kiepipeline.schemas.OutputType;
import io.kiepipeline.schemas.UserId;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The delivery queue on a real PostgreSQL against the Telegram emulator over HTTP, without Kafka: job events are
 * handed to the consumer's {@link Delivery#handle} directly, and what it reports is read from its outbox table.
 */
@SpringBootTest(classes = DeliveryWorkerApplication.class, properties = {"spring.config.name=delivery-worker",
        "TELEGRAM_BOT_TOKEN=7000000002:delivery-queue-test", "TELEGRAM_RETRY_INITIAL=100ms",
        "TELEGRAM_RETRY_MAX=500ms", "TELEGRAM_SCHEDULER_PERIOD=100ms", "TELEGRAM_SEND_LEASE=5s",
        "TELEGRAM_DELIVERY_PATIENCE=60s", "pipeline.telegram.capture-wait=1s"})
class DeliveryQueueTest {
    private static final AtomicLong CHATS = new AtomicLong(70_000);
    private static EmbeddedPostgres postgres;
    private static TelegramEmulator telegram;
    private static KieEmulator files;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        postgres = EmbeddedPostgres.builder().start();
        telegram = TelegramEmulator.start(0, "7000000002:delivery-queue-test");
        files = KieEmulator.start(0, "key", 0);
        registry.add("DATABASE_URL", () -> postgres.getJdbcUrl("postgres", "postgres"));
        registry.add("DATABASE_USER", () -> "postgres");
        registry.add("TELEGRAM_API_BASE_URL", telegram::baseUrl);
        registry.add("KAFKA_BOOTSTRAP_SERVERS", () -> "127.0.0.1:1");
        registry.add("spring.kafka.listener.auto-startup", () -> "false");
        registry.add("spring.kafka.admin.auto-create", () -> "false");
        registry.add("pipeline.outbox.enabled", () -> "false");
    }

    @AfterAll
    static void stop() throws IOException {
        telegram.close();
        files.close();
    }

    @Autowired
    Delivery delivery;
    @Autowired
    DeliveryStore store;
    @Autowired
    DeliveryScheduler scheduler;
    @Autowired
    TelegramSender sender;
    @Autowired
    JdbcTemplate jdbc;

    @Test
    void deliversToOtherChatsWhileOneChatWaitsOutItsRetryAfter() {
        long a = CHATS.incrementAndGet();
        long b = CHATS.incrementAndGet();
        telegram.failNext(a, Failure.tooManyRequests(40));
        JobSucceeded forA = anImage(a, image());
        JobSucceeded forB = anImage(b, image());

        delivery.handle(envelope(forA));
        await().atMost(Duration.ofSeconds(5)).until(() -> telegram.sendCallsTo(a) == 1);
        delivery.handle(envelope(forB));

        await().atMost(Duration.ofSeconds(3)).until(() -> reported(forB.jobId()).size() == 1);
        assertThat(telegram.sentTo(b)).extracting(TelegramEmulator.Sent::method).containsExactly("sendPhoto");
        assertThat(telegram.sentTo(a)).isEmpty();
        assertThat(reported(forA.jobId())).isEmpty();
        Instant due = jdbc.queryForObject("""
                select m.due_at from delivery_message m join delivery d on d.id = m.delivery_id
                where d.job_id = ?""", java.sql.Timestamp.class, forA.jobId().value()).toInstant();
        assertThat(due).as("chat A waits Telegram's retry_after, as a due time")
                .isAfter(Instant.now().plusSeconds(30));
    }

    @Test
    void stopsAtOnceAndReportsBotBlockedWhenTheUserBlockedTheBot() {
        long chat = CHATS.incrementAndGet();
        telegram.block(chat);
        JobSucceeded result = anImage(chat, image());

        delivery.handle(envelope(result));

        await().atMost(Duration.ofSeconds(5)).until(() -> reported(result.jobId()).size() == 1);
        assertThat(reported(result.jobId()).getFirst()).isInstanceOfSatisfying(DeliveryEvent.DeliveryFailed.class,
                f -> {
                    assertThat(f.reason()).isEqualTo(DeliveryFailureReason.BOT_BLOCKED);
                    assertThat(f.telegramErrorCode()).isEqualTo(403);
                });
        assertThat(telegram.sendCallsTo(chat)).as("no retries").isEqualTo(1);
    }

    @Test
    void keepsRetryingThroughServerErrorsAndDeliversWhenTelegramRecovers() {
        long chat = CHATS.incrementAndGet();
        telegram.failNext(chat, Failure.serverError(), Failure.serverError(), Failure.serverError(),
                Failure.serverError(), Failure.serverError(), Failure.serverError(), Failure.serverError());
        JobSucceeded result = anImage(chat, image());

        delivery.handle(envelope(result));

        await().atMost(Duration.ofSeconds(15)).until(() -> reported(result.jobId()).size() == 1);
        assertThat(reported(result.jobId()).getFirst()).isInstanceOf(DeliveryEvent.ResultDelivered.class);
        assertThat(telegram.sendCallsTo(chat)).isEqualTo(8);
        assertThat(telegram.sentTo(chat)).hasSize(1);
    }

    @Test
    void endsAsRetriesExhaustedOnlyOncePastItsPatience() {
        long chat = CHATS.incrementAndGet();
        Failure[] always = new Failure[200];
        java.util.Arrays.fill(always, Failure.serverError());
        telegram.failNext(chat, always);
        JobSucceeded result = anImage(chat, image());

        delivery.handle(envelope(result));
        // retries of one chat are paced by the per-chat flood limit (one a second) as well
        jdbc.update("update delivery set give_up_at = now() + interval '4 seconds' where job_id = ?",
                result.jobId().value());

        await().atMost(Duration.ofSeconds(10)).until(() -> reported(result.jobId()).size() == 1);
        assertThat(reported(result.jobId()).getFirst()).isInstanceOfSatisfying(DeliveryEvent.DeliveryFailed.class,
                f -> assertThat(f.reason()).isEqualTo(DeliveryFailureReason.RETRIES_EXHAUSTED));
        assertThat(telegram.sendCallsTo(chat)).as("retried until the patience ran out").isGreaterThan(3);
    }

    @Test
    void sendsEveryMediaItemInOrderAndTheLinkAsTextWhenTelegramCannotTakeOneEvenUploaded() {
        long chat = CHATS.incrementAndGet();
        String dead = files.baseUrl() + "/files/gone.mp3";
        JobSucceeded result = anAudio(chat, track(), dead, track());

        delivery.handle(envelope(result));

        await().atMost(Duration.ofSeconds(5)).until(() -> reported(result.jobId()).size() == 1);
        assertThat(telegram.sentTo(chat)).extracting(TelegramEmulator.Sent::method)
                .containsExactly("sendAudio", "sendMessage");
        assertThat(telegram.sentTo(chat).get(1).text()).contains(dead);
        assertThat(reported(result.jobId()).getFirst()).isInstanceOfSatisfying(
                DeliveryEvent.ResultDelivered.class, d -> assertThat(d.messagesSent()).isEqualTo(2));
    }

    @Test
    void recordsOneDeliveryForARepeatedNotice() {
        long chat = CHATS.incrementAndGet();
        JobSucceeded result = anImage(chat, image());
        Envelope first = envelope(result);

        delivery.handle(first);
        delivery.handle(first);
        delivery.handle(envelope(result));

        await().atMost(Duration.ofSeconds(5)).until(() -> reported(result.jobId()).size() == 1);
        assertThat(jdbc.queryForObject("select count(*) from delivery where job_id = ?", Integer.class,
                result.jobId().value())).isEqualTo(1);
        assertThat(telegram.sentTo(chat)).hasSize(1);
    }

    @Test
    void resendsOnlyTheMessageWhoseOutcomeWasLostInACrash() {
        long chat = CHATS.incrementAndGet();
        String first = track();
        String second = files.baseUrl() + "/files/result.mp3?second";
        // free: a paid result would first wait a moment for its charge, and the claim below must find it due
        JobSucceeded result = free(anAudio(chat, first, second));
        int duplicatesBefore = scheduler.possibleDuplicates();
        scheduler.stop();
        try {
            delivery.handle(envelope(result));
            // a worker claims the first photo, sends it, and dies before recording that it did
            for (DeliveryStore.Claim c : store.claim(100, Instant.now())) {
                if (c.jobId().equals(result.jobId())) {
                    assertThat(c.seq()).isZero();
                    assertThat(sender.send(c.chatId(), c.message())).isInstanceOf(SendOutcome.Sent.class);
                } else {
                    scheduler.sendAndRecord(c);
                }
            }
            // its lease expires
            jdbc.update("""
                    update delivery_message set due_at = now() - interval '1 second'
                    where status = 'SENDING' and delivery_id = (select id from delivery where job_id = ?)""",
                    result.jobId().value());
        } finally {
            scheduler.start();
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> reported(result.jobId()).size() == 1);
        assertThat(telegram.sentTo(chat)).extracting(TelegramEmulator.Sent::mediaUrl)
                .as("only the message whose outcome was lost goes twice").containsExactly(first, first, second);
        assertThat(reported(result.jobId()).getFirst()).isInstanceOfSatisfying(
                DeliveryEvent.ResultDelivered.class, d -> assertThat(d.messagesSent()).isEqualTo(2));
        assertThat(scheduler.possibleDuplicates()).isEqualTo(duplicatesBefore + 1);
    }

    @Test
    void keepsToTelegramsFloodLimitsPerChatAndForTheBot() {
        long busy = CHATS.incrementAndGet();
        List<JobId> jobs = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JobSucceeded toBusy = anImage(busy, image());
            jobs.add(toBusy.jobId());
            delivery.handle(envelope(toBusy));
        }
        List<Long> many = new java.util.ArrayList<>();
        for (int i = 0; i < 45; i++) {
            long chat = CHATS.incrementAndGet();
            many.add(chat);
            JobSucceeded result = anImage(chat, image());
            jobs.add(result.jobId());
            delivery.handle(envelope(result));
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> jobs.stream().allMatch(j -> reported(j).size() == 1));

        List<Long> toBusy = telegram.sentTo(busy).stream().map(TelegramEmulator.Sent::at).sorted().toList();
        assertThat(toBusy).hasSize(3);
        for (int i = 1; i < toBusy.size(); i++) {
            assertThat(toBusy.get(i) - toBusy.get(i - 1)).as("one message a second in one chat")
                    .isGreaterThanOrEqualTo(900);
        }
        List<Long> all = many.stream().flatMap(c -> telegram.sentTo(c).stream()).map(TelegramEmulator.Sent::at)
                .sorted().toList();
        assertThat(all).hasSize(45);
        for (int i = 0; i < all.size(); i++) {
            long from = all.get(i);
            long inWindow = all.stream().filter(t -> t >= from && t < from + 900).count();
            assertThat(inWindow).as("at most 30 a second for the bot").isLessThanOrEqualTo(30);
        }
    }

    private List<DeliveryEvent> reported(JobId jobId) {
        return jdbc.query("select event_type, payload from outbox_message where correlation_id = ? order by id",
                (rs, row) -> (DeliveryEvent) MessageCodec.fromJson(rs.getString("event_type"),
                        rs.getString("payload")),
                jobId.toString());
    }

    private String image() {
        return files.baseUrl() + "/files/result.png";
    }

    @Test
    void sendsSeveralImagesAsOneAlbum() {
        long chat = CHATS.incrementAndGet();
        JobSucceeded album = anImage(chat, image(), image() + "?2", image() + "?3");

        delivery.handle(envelope(album));

        await().atMost(Duration.ofSeconds(5)).until(() -> reported(album.jobId()).size() == 1);
        assertThat(telegram.sentTo(chat)).extracting(TelegramEmulator.Sent::method)
                .containsExactly("sendMediaGroup", "sendMediaGroup", "sendMediaGroup");
        assertThat(reported(album.jobId()).getFirst()).isInstanceOfSatisfying(
                DeliveryEvent.ResultDelivered.class, d -> assertThat(d.messagesSent()).isEqualTo(1));
    }

    @Test
    void uploadsAPhotoTelegramWillNotFetchByUrlInsteadOfSendingItsLink() throws Exception {
        long chat = CHATS.incrementAndGet();
        byte[] big = new byte[6 << 20]; // over the 5 MB Telegram fetches for a photo by URL
        com.sun.net.httpserver.HttpServer host = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        host.createContext("/big.jpg", ex -> {
            ex.sendResponseHeaders(200, big.length);
            try (java.io.OutputStream out = ex.getResponseBody()) {
                out.write(big);
            }
        });
        host.start();
        try {
            JobSucceeded result = anImage(chat, "http://127.0.0.1:" + host.getAddress().getPort() + "/big.jpg");

            delivery.handle(envelope(result));

            await().atMost(Duration.ofSeconds(10)).until(() -> reported(result.jobId()).size() == 1);
            assertThat(telegram.sentTo(chat)).singleElement().satisfies(m -> {
                assertThat(m.method()).isEqualTo("sendPhoto");
                assertThat(m.mediaUrl()).startsWith(telegram.baseUrl() + "/media/");
            });
        } finally {
            host.stop(0);
        }
    }

    @Test
    void aJobRequestedInRussianGetsItsNoticesInRussian() {
        long chat = CHATS.incrementAndGet();
        JobId job = new JobId(UUID.randomUUID());
        delivery.handle(envelope(new JobEvent.JobCreated(job, new UserId(chat), new ChatId(chat), "some/model",
                OutputType.IMAGE, 1500, "RUB", io.kiepipeline.schemas.RequestSource.TELEGRAM, Instant.now(), null,
                null, io.kiepipeline.schemas.Language.RU)));

        delivery.handle(envelope(new JobEvent.JobFailed(job, new UserId(chat), new ChatId(chat), "some/model",
                io.kiepipeline.schemas.JobFailureReason.TASK_FAILED, "500: Internal server error", Instant.now())));

        await().atMost(Duration.ofSeconds(5)).until(() -> reported(job).size() == 1);
        assertThat(telegram.sentTo(chat)).singleElement().satisfies(m ->
                assertThat(m.text()).contains("генерация не удалась").contains("Ничего не списано"));
    }

    private String track() {
        return files.baseUrl() + "/files/result.mp3";
    }

    private static JobSucceeded anAudio(long chat, String... urls) {
        return new JobSucceeded(new JobId(UUID.randomUUID()), new UserId(chat), new ChatId(chat), "suno/v5",
                OutputType.AUDIO, List.of(urls), 1500, "RUB", Instant.now());
    }

    private static JobSucceeded free(JobSucceeded paid) {
        return new JobSucceeded(paid.jobId(), paid.userId(), paid.chatId(), paid.model(), paid.outputType(),
                paid.resultUrls(), 0, paid.currency(), paid.succeededAt(), paid.prompt());
    }

    private static JobSucceeded anImage(long chat, String... urls) {
        return new JobSucceeded(new JobId(UUID.randomUUID()), new UserId(chat), new ChatId(chat), "some/model",
                OutputType.IMAGE, List.of(urls), 1500, "RUB", Instant.now());
    }

    @Autowired
    ChatCommands chatCommands;

    @Test
    void sendsTheBotsMessagesInOrderWithTheirButtonsAndEditsOneInPlace() {
        long chat = CHATS.incrementAndGet();
        ChatCommand.SendChatMessage welcome = new ChatCommand.SendChatMessage(UUID.randomUUID(), new ChatId(chat),
                "👋 <b>Hi</b>", List.of(), Instant.now());
        ChatCommand.SendChatMessage menu = new ChatCommand.SendChatMessage(UUID.randomUUID(), new ChatId(chat),
                "What shall we make?", List.of(List.of(new ChatCommand.InlineButton("🖼 Images", "s:IMAGES:0"))),
                Instant.now());

        chatCommands.handle(command(welcome));
        chatCommands.handle(command(menu));
        await().atMost(Duration.ofSeconds(5)).until(() -> done(menu.commandId()));
        long menuId = jdbc.queryForObject("select telegram_message_id from chat_command where command_id = ?",
                Long.class, menu.commandId());
        chatCommands.handle(command(new ChatCommand.EditChatMessage(UUID.randomUUID(), new ChatId(chat), menuId,
                "<b>Images</b>: pick a model", List.of(List.of(new ChatCommand.InlineButton("⬅️ Back", "menu"))),
                Instant.now())));

        await().atMost(Duration.ofSeconds(5)).until(() -> telegram.chat(chat).size() == 2
                && telegram.chat(chat).get(1).edited());
        assertThat(telegram.chat(chat)).extracting(TelegramEmulator.Line::text)
                .containsExactly("👋 <b>Hi</b>", "<b>Images</b>: pick a model");
        assertThat(telegram.chat(chat).get(1).replyMarkup()).contains("\"callback_data\":\"menu\"");
    }

    @Test
    void editsTheJobsProgressMessageInPlaceAsTheJobMovesOnAndOnceForEachStep() {
        long chat = CHATS.incrementAndGet();
        ChatCommand.SendChatMessage started = new ChatCommand.SendChatMessage(UUID.randomUUID(), new ChatId(chat),
                "🚀 Started: <b>Nano Banana</b>", List.of(), Instant.now());
        chatCommands.handle(command(started));
        await().atMost(Duration.ofSeconds(5)).until(() -> done(started.commandId()));
        long progressId = jdbc.queryForObject("select telegram_message_id from chat_command where command_id = ?",
                Long.class, started.commandId());
        JobSucceeded result = anImage(chat, track().replace("result.mp3", "result.png"));
        JobEvent.JobCreated created = new JobEvent.JobCreated(result.jobId(), new UserId(chat), new ChatId(chat),
                "some/model", OutputType.IMAGE, 1500, "RUB", io.kiepipeline.schemas.RequestSource.TELEGRAM,
                Instant.now(), null, null, null, (int) progressId);
        JobEvent.JobSubmitted submitted = new JobEvent.JobSubmitted(result.jobId(), new UserId(chat), "task-1",
                Instant.now());

        delivery.handle(envelope(created));
        delivery.handle(envelope(submitted));
        await().atMost(Duration.ofSeconds(5)).until(() -> telegram.chat(chat).getFirst().text().startsWith("⏳"));
        delivery.handle(envelope(result));
        delivery.handle(envelope(submitted));
        delivery.handle(envelope(result));

        await().atMost(Duration.ofSeconds(10)).until(() -> telegram.chat(chat).getFirst().text().startsWith("✅"));
        assertThat(telegram.chat(chat).getFirst().text()).isEqualTo("✅ <b>some/model</b>: done.");
        assertThat(telegram.edits()).filteredOn(e -> e.chatId() == chat).extracting(TelegramEmulator.Edit::text)
                .as("one edit per step, the repeats asked for nothing").hasSize(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> reported(result.jobId()).size() == 1);
        assertThat(telegram.chat(chat)).as("the progress message and the result").hasSize(2);
    }

    @Test
    void aPaidJobsProgressMessageAndResultCaptionEndWithTheChargeAndTheBalanceAfterWhicheverComesFirst() {
        for (boolean captureFirst : new boolean[] {false, true}) {
            long chat = CHATS.incrementAndGet();
            ChatCommand.SendChatMessage started = new ChatCommand.SendChatMessage(UUID.randomUUID(),
                    new ChatId(chat), "🚀 Started", List.of(), Instant.now());
            chatCommands.handle(command(started));
            await().atMost(Duration.ofSeconds(5)).until(() -> done(started.commandId()));
            long progressId = jdbc.queryForObject("select telegram_message_id from chat_command"
                    + " where command_id = ?", Long.class, started.commandId());
            JobSucceeded result = anImage(chat, track().replace("result.mp3", "result.png"));
            delivery.handle(envelope(new JobEvent.JobCreated(result.jobId(), new UserId(chat), new ChatId(chat),
                    "some/model", OutputType.IMAGE, 1500, "RUB", io.kiepipeline.schemas.RequestSource.TELEGRAM,
                    Instant.now(), null, null, null, (int) progressId)));
            var captured = envelope(new io.kiepipeline.schemas.LedgerEvent.HoldCaptured(
                    io.kiepipeline.schemas.Ids.holdIdForJob(result.jobId()), result.jobId(), new UserId(chat), 1500,
                    "RUB", 8500, 0));

            if (captureFirst) {
                delivery.charged(captured);
                delivery.handle(envelope(result));
            } else {
                delivery.handle(envelope(result));
                delivery.charged(captured);
            }

            await().atMost(Duration.ofSeconds(10)).until(() -> telegram.chat(chat).getFirst().text()
                    .contains("balance"));
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> telegram.chat(chat)
                    .getFirst().text().equals("✅ <b>some/model</b>: done. Charged 15.00 RUB; balance: <b>85.00 RUB</b>."));
            await().atMost(Duration.ofSeconds(10)).until(() -> reported(result.jobId()).size() == 1);
            assertThat(telegram.sentTo(chat)).filteredOn(m -> m.method().equals("sendPhoto"))
                    .extracting(TelegramEmulator.Sent::text).as("captureFirst=" + captureFirst)
                    .containsExactly("✅ Done: <b>some/model</b>\nCharged: 15.00 RUB\nBalance: <b>85.00 RUB</b>");
        }
    }

    @Test
    void aPaidResultWaitsForItsChargeOnlySoLongAndIsSentWithoutTheBalanceWhenTheLedgerIsLate() {
        long chat = CHATS.incrementAndGet();
        JobSucceeded result = anImage(chat, track().replace("result.mp3", "result.png"));
        Instant recorded = Instant.now();
        delivery.handle(envelope(result));

        await().atMost(Duration.ofSeconds(10)).until(() -> reported(result.jobId()).size() == 1);
        assertThat(telegram.sentTo(chat)).singleElement().satisfies(m -> {
            assertThat(m.text()).isEqualTo("✅ Done: <b>some/model</b>\nCharged: 15.00 RUB");
            assertThat(m.at()).as("sent after the capture wait (1 s here)")
                    .isGreaterThanOrEqualTo(recorded.plusMillis(900).toEpochMilli());
        });

        // the capture that comes after the result was sent changes no message of it
        delivery.charged(envelope(new io.kiepipeline.schemas.LedgerEvent.HoldCaptured(
                io.kiepipeline.schemas.Ids.holdIdForJob(result.jobId()), result.jobId(), new UserId(chat), 1500,
                "RUB", 8500, 0)));
        assertThat(jdbc.queryForObject("""
                select count(*) from delivery_message m join delivery d on d.id = m.delivery_id
                where d.job_id = ? and m.text like '%Balance%'""", Long.class, result.jobId().value())).isZero();
    }

    @Test
    void aCaptureAnnouncedAgainLaterChangesNeitherTheCaptionNorTheProgressMessage() {
        long chat = CHATS.incrementAndGet();
        JobSucceeded result = anImage(chat, track().replace("result.mp3", "result.png"));
        // Telegram is away: the result waits, unsent, while the ledger announces the capture twice (the second time
        // after a CaptureHold sent again, with a new event id and the balance of that later moment)
        telegram.failNext(chat, Failure.serverError(), Failure.serverError());
        delivery.handle(envelope(result));
        delivery.charged(envelope(new io.kiepipeline.schemas.LedgerEvent.HoldCaptured(
                io.kiepipeline.schemas.Ids.holdIdForJob(result.jobId()), result.jobId(), new UserId(chat), 1500,
                "RUB", 8500, 0)));
        delivery.charged(envelope(new io.kiepipeline.schemas.LedgerEvent.HoldCaptured(
                io.kiepipeline.schemas.Ids.holdIdForJob(result.jobId()), result.jobId(), new UserId(chat), 1500,
                "RUB", 7000, 0)));

        await().atMost(Duration.ofSeconds(15)).until(() -> reported(result.jobId()).size() == 1);
        assertThat(telegram.sentTo(chat)).filteredOn(m -> m.method().equals("sendPhoto"))
                .extracting(TelegramEmulator.Sent::text)
                .containsExactly("✅ Done: <b>some/model</b>\nCharged: 15.00 RUB\nBalance: <b>85.00 RUB</b>");
    }

    @Test
    void aFreeResultIsSentAtOnceWithoutWaitingForACharge() {
        long chat = CHATS.incrementAndGet();
        JobSucceeded free = free(anImage(chat, track().replace("result.mp3", "result.png")));
        Instant recorded = Instant.now();
        delivery.handle(envelope(free));

        await().atMost(Duration.ofSeconds(10)).until(() -> reported(free.jobId()).size() == 1);
        assertThat(telegram.sentTo(chat)).singleElement().satisfies(m -> {
            assertThat(m.text()).isEqualTo("✅ Done: <b>some/model</b>\nFree");
            assertThat(m.at()).isLessThan(recorded.plusMillis(900).toEpochMilli());
        });
    }

    @Test
    void aJobWithoutAProgressMessageGetsNoEdits() {
        long chat = CHATS.incrementAndGet();
        JobSucceeded result = anImage(chat, track().replace("result.mp3", "result.png"));
        delivery.handle(envelope(new JobEvent.JobCreated(result.jobId(), new UserId(chat), new ChatId(chat),
                "some/model", OutputType.IMAGE, 1500, "RUB", io.kiepipeline.schemas.RequestSource.API,
                Instant.now())));
        delivery.handle(envelope(new JobEvent.JobSubmitted(result.jobId(), new UserId(chat), "task-2",
                Instant.now())));
        delivery.handle(envelope(result));

        await().atMost(Duration.ofSeconds(10)).until(() -> reported(result.jobId()).size() == 1);
        assertThat(telegram.edits()).noneMatch(e -> e.chatId() == chat);
        assertThat(jdbc.queryForObject("select count(*) from chat_command where chat_id = ?", Long.class, chat))
                .isZero();
    }

    @Test
    void aCommandRecordedTwiceIsDoneOnce() {
        long chat = CHATS.incrementAndGet();
        ChatCommand.SendChatMessage hello = new ChatCommand.SendChatMessage(UUID.randomUUID(), new ChatId(chat),
                "hello", List.of(), Instant.now());

        chatCommands.handle(command(hello));
        chatCommands.handle(command(hello));

        await().atMost(Duration.ofSeconds(5)).until(() -> done(hello.commandId()));
        assertThat(telegram.sentTo(chat)).hasSize(1);
    }

    @Test
    void aStaleTapAnswerFailsAloneAndTheChatsNextCommandGoesOn() {
        long chat = CHATS.incrementAndGet();
        UUID stale = UUID.randomUUID();
        ChatCommand.SendChatMessage after = new ChatCommand.SendChatMessage(UUID.randomUUID(), new ChatId(chat),
                "still here", List.of(), Instant.now());

        chatCommands.handle(command(new ChatCommand.AnswerCallbackQuery(stale, new ChatId(chat), "no-such-query",
                null, Instant.now())));
        chatCommands.handle(command(after));

        await().atMost(Duration.ofSeconds(5)).until(() -> done(after.commandId()));
        assertThat(jdbc.queryForObject("select status from chat_command where command_id = ?", String.class, stale))
                .isEqualTo("FAILED");
        assertThat(telegram.sentTo(chat)).singleElement().satisfies(m -> assertThat(m.text()).isEqualTo("still here"));
    }

    @Test
    void aChatsCommandsWaitOutItsRetryAfterAndKeepTheirOrder() {
        long chat = CHATS.incrementAndGet();
        telegram.failNext(chat, Failure.tooManyRequests(1));
        List<UUID> ids = new java.util.ArrayList<>();
        for (String text : List.of("first", "second")) {
            ChatCommand.SendChatMessage m = new ChatCommand.SendChatMessage(UUID.randomUUID(), new ChatId(chat), text,
                    List.of(), Instant.now());
            ids.add(m.commandId());
            chatCommands.handle(command(m));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> done(ids.get(1)));
        assertThat(telegram.sentTo(chat)).extracting(TelegramEmulator.Sent::text).containsExactly("first", "second");
    }

    @Test
    void anAnswerDoesNotWaitBehindAMessageOfItsChatThatWaitsOutA429() {
        long chat = CHATS.incrementAndGet();
        telegram.failNext(chat, Failure.tooManyRequests(6));
        ChatCommand.SendChatMessage held = new ChatCommand.SendChatMessage(UUID.randomUUID(), new ChatId(chat),
                "held back", List.of(), Instant.now());
        chatCommands.handle(command(held));
        await().atMost(Duration.ofSeconds(5)).until(() -> telegram.sendCallsTo(chat) >= 1);
        UUID answer = UUID.randomUUID();

        chatCommands.handle(command(new ChatCommand.AnswerPreCheckoutQuery(answer, new ChatId(chat), "pcq-x", true,
                null, Instant.now())));

        // tried at once (Telegram, which knows no such query, refuses it), not after the 6 s the message waits
        await().atMost(Duration.ofSeconds(3)).until(() -> !"PENDING".equals(jdbc.query(
                "select status from chat_command where command_id = ?", rs -> rs.next() ? rs.getString(1) : null,
                answer)));
        assertThat(done(held.commandId())).isFalse();
        assertThat(jdbc.queryForObject("select give_up_at - created_at <= interval '10 seconds' from chat_command"
                + " where command_id = ?", Boolean.class, answer)).isTrue();
    }

    private boolean done(UUID commandId) {
        return "DONE".equals(jdbc.query("select status from chat_command where command_id = ?",
                rs -> rs.next() ? rs.getString(1) : null, commandId));
    }

    private static Envelope command(ChatCommand c) {
        return new Envelope(new EventId(UUID.randomUUID()), MessageTypes.nameOf(c.getClass()), c, null, null,
                Instant.now(), "bot.chat-commands", 0, 0);
    }

    private static Envelope envelope(JobEvent event) {
        return new Envelope(new EventId(UUID.randomUUID()), MessageTypes.nameOf(event.getClass()), event, null, null,
                Instant.now(), "orchestrator.events", 0, 0);
    }

    private static Envelope envelope(io.kiepipeline.schemas.LedgerEvent event) {
        return new Envelope(new EventId(UUID.randomUUID()), MessageTypes.nameOf(event.getClass()), event, null, null,
                Instant.now(), "ledger.events", 0, 0);
    }
}
