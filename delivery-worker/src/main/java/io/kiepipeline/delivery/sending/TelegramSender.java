package io.kiepipeline.delivery.sending;

import io.kiepipeline.delivery.sending.OutgoingMessage.TelegramMethod;
import io.kiepipeline.schemas.ChatCommand;
import io.kiepipeline.schemas.ChatId;
import io.kiepipeline.schemas.DeliveryFailureReason;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.stereotype.Component;
import org.telegram.telegrambots.meta.api.methods.AnswerCallbackQuery;
import org.telegram.telegrambots.meta.api.methods.ParseMode;
import org.telegram.telegrambots.meta.api.methods.send.SendAnimation;
import org.telegram.telegrambots.meta.api.methods.send.SendAudio;
import org.telegram.telegrambots.meta.api.methods.send.SendDocument;
import org.telegram.telegrambots.meta.api.methods.send.SendMediaGroup;
import org.telegram.telegrambots.meta.api.methods.send.SendMessage;
import org.telegram.telegrambots.meta.api.methods.send.SendPhoto;
import org.telegram.telegrambots.meta.api.methods.send.SendVideo;
import org.telegram.telegrambots.meta.api.objects.InputFile;
import org.telegram.telegrambots.meta.api.objects.media.InputMedia;
import org.telegram.telegrambots.meta.api.objects.media.InputMediaPhoto;
import org.telegram.telegrambots.meta.api.methods.updatingmessages.EditMessageText;
import org.telegram.telegrambots.meta.api.objects.message.Message;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.InlineKeyboardMarkup;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.buttons.InlineKeyboardButton;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.buttons.InlineKeyboardRow;
import org.telegram.telegrambots.meta.exceptions.TelegramApiException;
import org.telegram.telegrambots.meta.exceptions.TelegramApiRequestException;
import org.telegram.telegrambots.meta.generics.TelegramClient;

/**
 * Talks to the Bot API: one call per {@link #send}, never a retry and never a wait here. It only classifies the
 * answer, once: 403 (bot blocked) and "chat not found" are final; a 400 on media means Telegram could not take it by
 * URL (the next try uploads it, and the one after sends the link as text); 429, 5xx, 401 and network errors are
 * worth trying later (429 with Telegram's {@code retry_after}). Retrying is the scheduler's job, as a due time on the
 * message's row.
 *
 * <p>An upload downloads the file to a temporary file first (never held in memory), within the Bot API's upload
 * limits (telegram.md D3): 10 MB for a photo (a bigger one goes as a document), 50 MB for anything else. A file over
 * that, or one that cannot be downloaded, is refused, and its link goes as text.
 */
@Component
public class TelegramSender {
    static final long PHOTO_UPLOAD = 10L << 20;
    static final long UPLOAD = 50L << 20;

    private final TelegramClient telegram;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    /** The payment provider's token for card invoices (PAYMENT_PROVIDER_TOKEN, a secret); empty: Stars only. */
    private final String paymentProviderToken;

    public TelegramSender(TelegramClient telegram) {
        this(telegram, "");
    }

    @org.springframework.beans.factory.annotation.Autowired
    public TelegramSender(TelegramClient telegram,
                          @org.springframework.beans.factory.annotation.Value("${pipeline.telegram.payment-provider-token:}")
                          String paymentProviderToken) {
        this.telegram = telegram;
        this.paymentProviderToken = paymentProviderToken == null ? "" : paymentProviderToken;
    }

    /** Sends one message, once. Must not be called inside a database transaction. */
    SendOutcome send(ChatId chatId, OutgoingMessage m) {
        String chat = Long.toString(chatId.value());
        List<File> downloads = new ArrayList<>();
        try {
            String parseMode = m.html() ? ParseMode.HTML : null;
            TelegramMethod method = m.method();
            InputFile file = null;
            if (method.isMedia() && method != TelegramMethod.SEND_MEDIA_GROUP) {
                if (m.upload()) {
                    File downloaded = download(m.mediaUrl(), UPLOAD);
                    downloads.add(downloaded);
                    if (method == TelegramMethod.SEND_PHOTO && downloaded.length() > PHOTO_UPLOAD) {
                        method = TelegramMethod.SEND_DOCUMENT; // over a photo's upload limit, not a document's
                    }
                    file = new InputFile(downloaded, fileName(m.mediaUrl()));
                } else {
                    file = new InputFile(m.mediaUrl());
                }
            }
            long messageId = switch (method) {
                case SEND_MESSAGE -> id(telegram.execute(SendMessage.builder().chatId(chat).text(m.text())
                        .parseMode(parseMode).build()));
                case SEND_PHOTO -> id(telegram.execute(SendPhoto.builder().chatId(chat).photo(file)
                        .caption(m.text()).parseMode(parseMode).build()));
                case SEND_VIDEO -> id(telegram.execute(SendVideo.builder().chatId(chat).video(file)
                        .caption(m.text()).parseMode(parseMode).build()));
                case SEND_AUDIO -> id(telegram.execute(SendAudio.builder().chatId(chat).audio(file)
                        .caption(m.text()).parseMode(parseMode).build()));
                case SEND_ANIMATION -> id(telegram.execute(SendAnimation.builder().chatId(chat).animation(file)
                        .caption(m.text()).parseMode(parseMode).build()));
                case SEND_DOCUMENT -> id(telegram.execute(SendDocument.builder().chatId(chat).document(file)
                        .caption(m.text()).parseMode(parseMode).build()));
                case SEND_MEDIA_GROUP -> album(chat, m, parseMode, downloads);
            };
            return new SendOutcome.Sent(messageId);
        } catch (TooBig e) {
            return new SendOutcome.MediaRefused(413, e.getMessage());
        } catch (IOException e) {
            return new SendOutcome.MediaRefused(0, "cannot download the file to upload it: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new SendOutcome.RetryLater(null, 0, "interrupted");
        } catch (TelegramApiRequestException e) {
            return classify(m.method().isMedia(), e);
        } catch (TelegramApiException e) {
            // no answer (connection refused, timeout, an unreadable body such as a proxy's HTML 502): try later
            return new SendOutcome.RetryLater(null, 0, String.valueOf(e.getMessage()));
        } finally {
            downloads.forEach(File::delete);
        }
    }

    /** Does one of the bot's chat commands, once: a message, an edit, or the answer to a tap. */
    /** The Bot API method a chat command calls (the metrics' label). */
    static String methodOf(ChatCommand command) {
        return switch (command) {
            case ChatCommand.SendChatMessage m -> "sendMessage";
            case ChatCommand.EditChatMessage m -> "editMessageText";
            case ChatCommand.AnswerCallbackQuery a -> "answerCallbackQuery";
            case ChatCommand.SendInvoice i -> "sendInvoice";
            case ChatCommand.AnswerPreCheckoutQuery q -> "answerPreCheckoutQuery";
            case ChatCommand.RefundStarPayment r -> "refundStarPayment";
        };
    }

    SendOutcome command(ChatCommand command) {
        String chat = Long.toString(command.chatId().value());
        try {
            long messageId = switch (command) {
                case ChatCommand.SendChatMessage m -> id(telegram.execute(SendMessage.builder().chatId(chat)
                        .text(m.html()).parseMode(ParseMode.HTML).replyMarkup(keyboard(m.buttons())).build()));
                case ChatCommand.EditChatMessage m -> {
                    telegram.execute(EditMessageText.builder().chatId(chat).messageId((int) m.messageId())
                            .text(m.html()).parseMode(ParseMode.HTML).replyMarkup(keyboard(m.buttons())).build());
                    yield m.messageId();
                }
                case ChatCommand.AnswerCallbackQuery a -> {
                    telegram.execute(AnswerCallbackQuery.builder().callbackQueryId(a.callbackQueryId())
                            .text(a.text()).build());
                    yield 0;
                }
                case ChatCommand.SendInvoice i -> {
                    boolean stars = "XTR".equals(i.currency());
                    if (!stars && paymentProviderToken.isBlank()) {
                        yield -1;
                    }
                    // Stars take no provider token; a card payment takes the operator's, added here and only here
                    yield id(telegram.execute(org.telegram.telegrambots.meta.api.methods.invoices.SendInvoice
                            .builder().chatId(chat).title(i.title()).description(i.description())
                            .payload(i.payload()).currency(i.currency()).providerToken(stars ? "" : paymentProviderToken)
                            .price(new org.telegram.telegrambots.meta.api.objects.payments.LabeledPrice(i.label(),
                                    Math.toIntExact(i.totalAmount()))).build()));
                }
                case ChatCommand.RefundStarPayment r -> {
                    telegram.execute(org.telegram.telegrambots.meta.api.methods.payments.RefundStarPayment.builder()
                            .userId(r.userId()).telegramPaymentChargeId(r.telegramPaymentChargeId()).build());
                    yield 0;
                }
                case ChatCommand.AnswerPreCheckoutQuery q -> {
                    telegram.execute(org.telegram.telegrambots.meta.api.methods.AnswerPreCheckoutQuery.builder()
                            .preCheckoutQueryId(q.preCheckoutQueryId()).ok(q.ok())
                            .errorMessage(q.ok() ? null : q.errorMessage()).build());
                    yield 0;
                }
            };
            if (messageId < 0) {
                return new SendOutcome.Refused(DeliveryFailureReason.REJECTED_BY_TELEGRAM, 400,
                        "no PAYMENT_PROVIDER_TOKEN for a card invoice");
            }
            return new SendOutcome.Sent(messageId);
        } catch (TelegramApiRequestException e) {
            String description = String.valueOf(e.getApiResponse()).toLowerCase(Locale.ROOT);
            if (command instanceof ChatCommand.EditChatMessage && description.contains("message is not modified")) {
                return new SendOutcome.Sent(((ChatCommand.EditChatMessage) command).messageId()); // already so
            }
            // not media: a 400 is final (a stale query, a message gone, text Telegram will not take)
            return classify(false, e);
        } catch (TelegramApiException e) {
            return new SendOutcome.RetryLater(null, 0, String.valueOf(e.getMessage()));
        }
    }

    private static InlineKeyboardMarkup keyboard(List<List<ChatCommand.InlineButton>> rows) {
        if (rows.isEmpty()) {
            return null;
        }
        return InlineKeyboardMarkup.builder().keyboard(rows.stream().map(row -> new InlineKeyboardRow(row.stream()
                .map(b -> InlineKeyboardButton.builder().text(b.text()).callbackData(b.data()).build()).toList()))
                .toList()).build();
    }

    private long album(String chat, OutgoingMessage m, String parseMode, List<File> downloads)
            throws TelegramApiException, IOException, InterruptedException {
        List<InputMedia> media = new ArrayList<>();
        boolean first = true;
        for (String url : m.mediaUrls()) {
            InputMediaPhoto photo = InputMediaPhoto.builder().media(url).build();
            if (m.upload()) {
                File downloaded = download(url, PHOTO_UPLOAD);
                downloads.add(downloaded);
                photo.setMedia(downloaded, fileName(url));
            }
            if (first) {
                photo.setCaption(m.text());
                photo.setParseMode(parseMode);
                first = false;
            }
            media.add(photo);
        }
        List<Message> sent = telegram.execute(SendMediaGroup.builder().chatId(chat).medias(media).build());
        return sent == null || sent.isEmpty() ? 0 : id(sent.getFirst());
    }

    private static long id(Message sent) {
        return sent == null || sent.getMessageId() == null ? 0 : sent.getMessageId();
    }

    /** Downloads a result to a temporary file, refusing one over {@code limit} bytes without reading further. */
    private File download(String url, long limit) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        File file = Files.createTempFile("delivery-", ".upload").toFile();
        try (InputStream in = r.body(); OutputStream out = Files.newOutputStream(file.toPath())) {
            if (r.statusCode() != 200) {
                throw new IOException("HTTP " + r.statusCode());
            }
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > limit) {
                    throw new TooBig("the file is over the " + (limit >> 20) + " MB Telegram takes as an upload");
                }
                out.write(buffer, 0, n);
            }
            return file;
        } catch (IOException | RuntimeException e) {
            file.delete();
            throw e;
        }
    }

    private static String fileName(String url) {
        String path = URI.create(url).getPath();
        String name = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
        return name.isBlank() ? "result" : name;
    }

    /** A file over what Telegram takes as an upload: its link goes as text. */
    private static final class TooBig extends IOException {
        TooBig(String message) {
            super(message);
        }
    }

    private static SendOutcome classify(boolean media, TelegramApiRequestException e) {
        int code = e.getErrorCode() == null ? 0 : e.getErrorCode();
        String description = e.getApiResponse() == null ? String.valueOf(e.getMessage()) : e.getApiResponse();
        if (code == 403) {
            return new SendOutcome.Refused(DeliveryFailureReason.BOT_BLOCKED, code, description);
        }
        if (code == 400 && description.toLowerCase(Locale.ROOT).contains("chat not found")) {
            return new SendOutcome.Refused(DeliveryFailureReason.CHAT_NOT_FOUND, code, description);
        }
        if (code == 429) {
            Integer retryAfter = e.getParameters() == null ? null : e.getParameters().getRetryAfter();
            return new SendOutcome.RetryLater(Duration.ofSeconds(retryAfter == null ? 1 : Math.max(retryAfter, 0)),
                    code, description);
        }
        if (code == 401) {
            // our token is wrong or revoked: no chat's fault, and fixed by an operator; keep the delivery
            return new SendOutcome.RetryLater(null, code, description);
        }
        if (code >= 400 && code < 500) {
            return media ? new SendOutcome.MediaRefused(code, description)
                    : new SendOutcome.Refused(DeliveryFailureReason.REJECTED_BY_TELEGRAM, code, description);
        }
        return new SendOutcome.RetryLater(null, code, description);
    }
}
