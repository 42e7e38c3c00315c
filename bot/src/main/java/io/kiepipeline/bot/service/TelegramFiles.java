package io.kiepipeline.bot.service;

import io.kiepipeline.schemas.MessageCodec;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Downloads a file a user sent, the way the Bot API offers it: {@code getFile} for its path, then
 * {@code /file/bot<token>/<path>}. Both addresses contain the bot token, so neither is ever logged, put in an exception
 * message or handed to anything outside this class: what leaves is the bytes, or why not (without the address).
 */
public class TelegramFiles {
    private static final Logger log = LoggerFactory.getLogger(TelegramFiles.class);

    /** A file's bytes and its type as Telegram serves it. */
    public record Downloaded(byte[] bytes, String contentType, String extension) {
    }

    /** What came of a download. */
    public sealed interface Result {
        record Ok(Downloaded file) implements Result {
        }

        /** Larger than the bot takes ({@code maxBytes}). */
        record TooLarge() implements Result {
        }

        /** Telegram refused or could not be reached; the user may send the photo again. */
        record Failed(String why) implements Result {
        }
    }

    /** The longest a whole download may take (a photo of at most 10 MB). */
    static final Duration DOWNLOAD_DEADLINE = Duration.ofSeconds(30);

    private final String baseUrl;
    private final String token;
    private final long maxBytes;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    public TelegramFiles(String baseUrl, String token, long maxBytes) {
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.token = token;
        this.maxBytes = maxBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Never throws; outside any transaction (two remote calls). */
    public Result download(String fileId) {
        try {
            HttpResponse<String> info = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/bot" + token
                            + "/getFile?file_id=" + URLEncoder.encode(fileId, StandardCharsets.UTF_8)))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode answer = MessageCodec.mapper().readTree(info.body());
            if (!answer.path("ok").asBoolean(false)) {
                String description = answer.path("description").asString("");
                return description.contains("too big") ? new Result.TooLarge()
                        : new Result.Failed("getFile: " + info.statusCode() + " " + description);
            }
            JsonNode file = answer.path("result");
            long size = file.path("file_size").asLong(-1);
            if (size > maxBytes) {
                return new Result.TooLarge();
            }
            if (size <= 0) {
                return new Result.Failed("getFile: no file_size");
            }
            String path = file.path("file_path").asString("");
            if (path.isBlank() || path.contains("..") || !path.matches("[A-Za-z0-9_./-]{1,256}")) {
                return new Result.Failed("getFile: no usable file_path");
            }
            // one deadline for the whole download, the body included: a stalled transfer is cancelled, never waited on
            java.util.concurrent.CompletableFuture<HttpResponse<byte[]>> pending = http.sendAsync(
                    HttpRequest.newBuilder(URI.create(baseUrl + "/file/bot" + token + "/" + path))
                            .timeout(DOWNLOAD_DEADLINE).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            HttpResponse<byte[]> body;
            try {
                body = pending.get(DOWNLOAD_DEADLINE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                pending.cancel(true);
                return new Result.Failed("download: " + (e instanceof java.util.concurrent.TimeoutException
                        ? "over " + DOWNLOAD_DEADLINE.toSeconds() + " s" : e.getCause().getClass().getSimpleName()));
            }
            if (body.statusCode() != 200) {
                return new Result.Failed("download: " + body.statusCode());
            }
            if (body.body().length > maxBytes) {
                return new Result.TooLarge();
            }
            String extension = extension(path);
            String type = body.headers().firstValue("Content-Type").filter(t -> t.startsWith("image/"))
                    .orElse(typeOf(extension));
            return new Result.Ok(new Downloaded(body.body(), type, extension));
        } catch (IOException | RuntimeException e) {
            // the exception's message may quote the request's address: only its kind is kept
            log.atWarn().addKeyValue("error", e.getClass().getSimpleName()).log("bot.photo-download-failed");
            return new Result.Failed(e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result.Failed("interrupted");
        }
    }

    private static String extension(String path) {
        int dot = path.lastIndexOf('.');
        String ext = dot < 0 ? "" : path.substring(dot + 1).toLowerCase(java.util.Locale.ROOT);
        return ext.matches("jpe?g|png|webp|gif") ? ext : "jpg";
    }

    private static String typeOf(String extension) {
        return switch (extension) {
            case "png" -> "image/png";
            case "webp" -> "image/webp";
            case "gif" -> "image/gif";
            default -> "image/jpeg";
        };
    }
}
