package io.kiepipeline.delivery.sending;

import io.kiepipeline.delivery.sending.OutgoingMessage.TelegramMethod;
import io.kiepipeline.schemas.JobEvent;
import io.kiepipeline.schemas.JobEvent.JobFailed;
import io.kiepipeline.schemas.JobEvent.JobRejected;
import io.kiepipeline.schemas.JobEvent.JobSucceeded;
import io.kiepipeline.schemas.Language;
import java.util.List;

/** What the bot says. Every failure notice says why, and that nothing was charged. */
final class Notices {
    private Notices() {
    }

    /**
     * The messages of a result, in the order they are sent, each item by the method its format takes: photos (an
     * album for several, up to ten each), a GIF as an animation, MP4 as a video, MP3/M4A as audio, anything else as
     * a document. Each is captioned (HTML: the model, the start of the user's prompt escaped, the price charged) and
     * falls back to the text with the links. A text output, or one without URLs, is that text.
     */
    static List<OutgoingMessage> result(JobSucceeded e) {
        return result(e, Language.EN);
    }

    static List<OutgoingMessage> result(JobSucceeded e, Language lang) {
        String links = resultAsLink(e, lang);
        if (e.outputType() == io.kiepipeline.schemas.OutputType.TEXT || e.resultUrls().isEmpty()) {
            return List.of(OutgoingMessage.text(links));
        }
        String caption = resultCaption(e, lang);
        List<OutgoingMessage> messages = new java.util.ArrayList<>();
        List<String> photos = new java.util.ArrayList<>();
        for (String url : e.resultUrls()) {
            TelegramMethod method = methodFor(e.outputType(), url);
            if (method == TelegramMethod.SEND_PHOTO) {
                photos.add(url);
            } else {
                messages.add(new OutgoingMessage(method, url, caption, links, true, false));
            }
        }
        List<OutgoingMessage> albums = new java.util.ArrayList<>();
        for (int i = 0; i < photos.size(); i += OutgoingMessage.MAX_ALBUM) {
            List<String> group = photos.subList(i, Math.min(i + OutgoingMessage.MAX_ALBUM, photos.size()));
            albums.add(group.size() == 1 ? new OutgoingMessage(TelegramMethod.SEND_PHOTO, group.getFirst(), caption,
                    links, true, false) : OutgoingMessage.album(group, caption, links, true));
        }
        albums.addAll(messages);
        return albums;
    }

    /** How Telegram shows a result file, from the output type and the file's extension. */
    static TelegramMethod methodFor(io.kiepipeline.schemas.OutputType type, String url) {
        String path;
        try {
            path = java.net.URI.create(url).getPath();
        } catch (IllegalArgumentException e) {
            path = url;
        }
        String name = path == null ? "" : path.substring(path.lastIndexOf('/') + 1).toLowerCase(java.util.Locale.ROOT);
        String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : "";
        return switch (type) {
            case IMAGE -> switch (ext) {
                case "gif" -> TelegramMethod.SEND_ANIMATION;
                case "", "png", "jpg", "jpeg", "webp" -> TelegramMethod.SEND_PHOTO;
                default -> TelegramMethod.SEND_DOCUMENT;
            };
            case VIDEO -> switch (ext) {
                case "", "mp4" -> TelegramMethod.SEND_VIDEO;
                case "gif" -> TelegramMethod.SEND_ANIMATION;
                default -> TelegramMethod.SEND_DOCUMENT;
            };
            case AUDIO -> switch (ext) {
                case "", "mp3", "m4a" -> TelegramMethod.SEND_AUDIO;
                default -> TelegramMethod.SEND_DOCUMENT;
            };
            case TEXT -> TelegramMethod.SEND_MESSAGE;
        };
    }

    /**
     * A result that came after the job had timed out: sent like any result, and said to be free (the user was told
     * nothing was charged, and nothing is).
     */
    static List<OutgoingMessage> lateResult(JobEvent.JobLateResult e, Language lang) {
        String note = ru(lang) ? "✅ С опозданием, но готово: " + e.model()
                + ". Результат пришёл после того, как время задачи истекло, поэтому он бесплатный."
                : "✅ Late but done: " + e.model() + ". It arrived after the job had timed out, so it is free.";
        String withLinks = note + "\n" + String.join("\n", e.resultUrls()) + "\n" + linksNote(lang);
        if (e.outputType() == io.kiepipeline.schemas.OutputType.TEXT || e.resultUrls().isEmpty()) {
            return List.of(OutgoingMessage.text(withLinks));
        }
        return e.resultUrls().stream()
                .map(url -> new OutgoingMessage(methodFor(e.outputType(), url), url, note, withLinks)).toList();
    }

    /** Bot API HTML: the model in bold, the user's prompt in italics (escaped), and what it cost. */
    static String resultCaption(JobSucceeded e) {
        return resultCaption(e, Language.EN);
    }

    static String resultCaption(JobSucceeded e, Language lang) {
        StringBuilder caption = new StringBuilder(ru(lang) ? "✅ Готово: <b>" : "✅ Done: <b>").append(html(e.model()))
                .append("</b>");
        if (e.prompt() != null) {
            caption.append("\n<i>").append(html(e.prompt()))
                    .append(e.prompt().length() >= JobSucceeded.PROMPT_EXCERPT ? "…" : "").append("</i>");
        }
        String price = io.kiepipeline.schemas.Money.of(e.priceMinor(), e.currency()).display();
        caption.append("\n").append(e.priceMinor() == 0 ? (ru(lang) ? "Бесплатно" : "Free")
                : (ru(lang) ? "Списано: " : "Charged: ") + price);
        return caption.toString();
    }

    /** The Bot API's HTML escaping: whatever a user wrote shows as written, never as markup. */
    static String html(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static String resultAsLink(JobSucceeded e, Language lang) {
        return (ru(lang) ? "✅ Готово: " : "✅ Done: ") + e.model() + "\n" + String.join("\n", e.resultUrls()) + "\n"
                + linksNote(lang);
    }

    private static String linksNote(Language lang) {
        return ru(lang) ? "(ссылки действуют около 24 часов)" : "(links stay valid for about 24 hours)";
    }

    /** The job's progress message (Bot API HTML), as it reads at each step. */
    static String progress(JobProgress.Step step, String model, Language lang) {
        boolean ru = ru(lang);
        String name = "<b>" + html(model) + "</b>";
        return switch (step) {
            case RUNNING -> ru ? "⏳ " + name + ": генерируется… Результат придёт сюда; деньги спишутся, только если он"
                    + " будет готов." : "⏳ " + name + ": generating… The result will come here; you are charged only"
                    + " if it does.";
            case DONE -> ru ? "✅ " + name + ": готово." : "✅ " + name + ": done.";
            case NOT_DONE -> ru ? "❌ " + name + ": не получилось. Ничего не списано." : "❌ " + name
                    + ": it did not work out. Nothing was charged.";
            case CHARGED -> throw new IllegalArgumentException("a charge is shown with its amounts: charged(...)");
        };
    }

    /** The progress message's last word for a paid job: done, what was charged, and the balance after. */
    static String charged(String model, long chargedMinor, long availableMinor, String currency, Language lang) {
        String charged = io.kiepipeline.schemas.Money.of(chargedMinor, currency).display();
        String balance = io.kiepipeline.schemas.Money.of(availableMinor, currency).display();
        return ru(lang) ? "✅ <b>" + html(model) + "</b>: готово. Списано " + charged + "; баланс: <b>" + balance + "</b>."
                : "✅ <b>" + html(model) + "</b>: done. Charged " + charged + "; balance: <b>" + balance + "</b>.";
    }

    /** The line a paid result's caption ends with once the ledger captured its charge: the balance after. */
    static String balanceLineHtml(long availableMinor, String currency, Language lang) {
        String balance = io.kiepipeline.schemas.Money.of(availableMinor, currency).display();
        return (ru(lang) ? "\nБаланс: <b>" : "\nBalance: <b>") + balance + "</b>";
    }

    /** The same in plain text (a text result, the links sent instead of media), which does not say the price. */
    static String balanceLinePlain(long chargedMinor, long availableMinor, String currency, Language lang) {
        String charged = io.kiepipeline.schemas.Money.of(chargedMinor, currency).display();
        String balance = io.kiepipeline.schemas.Money.of(availableMinor, currency).display();
        return ru(lang) ? "\nСписано: " + charged + "; баланс: " + balance
                : "\nCharged: " + charged + "; balance: " + balance;
    }

    static String failed(JobFailed e, Language lang) {
        boolean ru = ru(lang);
        String why = switch (e.reason()) {
            case KIE_REJECTED -> ru ? "сервис генерации отклонил задачу" : "the generation service refused the task";
            case TASK_FAILED -> ru ? "генерация не удалась" : "the generation failed";
            case TIMED_OUT -> ru ? "генерация заняла слишком много времени" : "the generation took too long";
            case NO_RESULT -> ru ? "генерация не вернула результат" : "the generation returned no result";
        };
        return "❌ " + e.model() + ": " + why + ".\n" + e.detail() + "\n" + (ru
                ? "Ничего не списано: зарезервированная сумма вернулась на баланс."
                : "Nothing was charged: the amount held on your balance was released.");
    }

    static String rejected(JobRejected e, Language lang) {
        boolean ru = ru(lang);
        String why = switch (e.reason()) {
            case UNKNOWN_MODEL -> ru ? "модели " + e.model() + " нет. Отправьте /models, чтобы увидеть список."
                    : "there is no model called " + e.model() + ". Send /models to see them.";
            case INSUFFICIENT_FUNDS -> ru ? "на балансе недостаточно средств для " + e.model()
                    + ". Отправьте /balance, чтобы проверить." : "your balance is too low for " + e.model()
                    + ". Send /balance to see it.";
            case MODEL_DISABLED -> ru ? e.model() + " сейчас недоступна. Отправьте /models, чтобы увидеть другие."
                    : e.model() + " is not available right now. Send /models to see the others.";
            case KIE_UNAVAILABLE -> ru ? "генерация временно недоступна. Попробуйте через несколько минут."
                    : "generation is temporarily unavailable. Please try again in a few minutes.";
            // already in the user's language, from the orchestrator
            case INVALID_INPUT, HOLD_REJECTED, QUOTE_INVALID, QUOTE_CHANGED, TOO_MANY_RUNNING, RATE_LIMITED,
                 FREE_LIMIT_REACHED, FREE_BUDGET_EXHAUSTED -> e.detail();
        };
        return (ru ? "⚠️ Не запущено: " : "⚠️ Not started: ") + why + "\n"
                + (ru ? "Ничего не списано." : "Nothing was charged.");
    }

    private static boolean ru(Language lang) {
        return lang == Language.RU;
    }
}
