package io.kiepipeline.platform.kie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kiepipeline.schemas.KieApiFamily;
import io.kiepipeline.schemas.KieTaskState;
import io.kiepipeline.schemas.MessageCodec;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Every family's status answer and callback, as KIE's documentation shows them (kie-api.md §2–§4 and the family pages
 * it cites), not as our emulator writes them.
 */
class KieReportsTest {

    @Test
    void readsTheJobsApiStatusAndItsCallbackUrl() throws Exception {
        KieReports.Report r = KieReports.fromStatus(KieApiFamily.MARKET, data("""
                {"taskId":"task_12345678","model":"grok-imagine/text-to-image","state":"success",
                 "param":"{\\"model\\":\\"m\\",\\"callBackUrl\\":\\"https://bot.example/kie/callback/j1?token=t\\"}",
                 "resultJson":"{\\"resultUrls\\":[\\"https://example.com/generated-content.jpg\\"]}",
                 "failCode":"","failMsg":"","costTime":15000,"completeTime":1698765432000}"""));

        assertThat(r.state()).isEqualTo(KieTaskState.SUCCESS);
        assertThat(r.resultUrls()).containsExactly("https://example.com/generated-content.jpg");
        assertThat(r.callBackUrl()).isEqualTo("https://bot.example/kie/callback/j1?token=t");
    }

    @Test
    void readsVeoStatusBySuccessFlagWithUrlsAsAListOrAString() throws Exception {
        KieReports.Report done = KieReports.fromStatus(KieApiFamily.VEO, data("""
                {"taskId":"veo_task_abcdef123456","paramJson":"{\\"prompt\\":\\"A futuristic city\\"}",
                 "response":{"taskId":"veo_task_abcdef123456","resultUrls":["https://example.com/video1.mp4"],
                             "resolution":"1080p"},"successFlag":1,"errorCode":null,"errorMessage":""}"""));
        KieReports.Report asString = KieReports.fromStatus(KieApiFamily.VEO, data("""
                {"taskId":"v","response":{"resultUrls":"[https://example.com/video1.mp4]"},"successFlag":1}"""));
        KieReports.Report running = KieReports.fromStatus(KieApiFamily.VEO, data("""
                {"taskId":"v","response":null,"successFlag":0}"""));
        KieReports.Report failed = KieReports.fromStatus(KieApiFamily.VEO, data("""
                {"taskId":"v","successFlag":3,"errorCode":501,"errorMessage":"generation failed"}"""));

        assertThat(done.state()).isEqualTo(KieTaskState.SUCCESS);
        assertThat(done.resultUrls()).containsExactly("https://example.com/video1.mp4");
        assertThat(asString.resultUrls()).containsExactly("https://example.com/video1.mp4");
        assertThat(running.state().isTerminal()).isFalse();
        assertThat(failed.state()).isEqualTo(KieTaskState.FAIL);
        assertThat(failed.failCode()).isEqualTo("501");
    }

    @Test
    void readsRunwayFluxAnd4oStatus() throws Exception {
        KieReports.Report runway = KieReports.fromStatus(KieApiFamily.RUNWAY, data("""
                {"taskId":"ee603959","state":"success","generateTime":"2023-08-15 14:30:45",
                 "videoInfo":{"videoId":"485da89c","videoUrl":"https://file.com/k/x.mp4",
                              "imageUrl":"https://file.com/m/x.png"},"expireFlag":0}"""));
        KieReports.Report queued = KieReports.fromStatus(KieApiFamily.RUNWAY, data("""
                {"taskId":"ee603959","state":"queueing","videoInfo":null}"""));
        KieReports.Report flux = KieReports.fromStatus(KieApiFamily.FLUX_KONTEXT, data("""
                {"taskId":"task12345","paramJson":"{\\"prompt\\":\\"A serene mountain landscape\\"}",
                 "response":{"originImageUrl":"https://example.com/original.jpg",
                             "resultImageUrl":"https://example.com/result.jpg"},"successFlag":1}"""));
        KieReports.Report gpt4o = KieReports.fromStatus(KieApiFamily.GPT4O_IMAGE, data("""
                {"taskId":"task12345","response":{"result_urls":["https://example.com/result/image1.png"]},
                 "successFlag":1,"status":"SUCCESS","progress":"1.00"}"""));
        KieReports.Report gpt4oFailed = KieReports.fromStatus(KieApiFamily.GPT4O_IMAGE, data("""
                {"taskId":"task_4o_abc123","status":"GENERATE_FAILED","response":null,"successFlag":2,
                 "errorCode":400,"errorMessage":"content policy"}"""));

        assertThat(runway.resultUrls()).containsExactly("https://file.com/k/x.mp4");
        assertThat(queued.state()).isEqualTo(KieTaskState.QUEUING);
        assertThat(flux.resultUrls()).containsExactly("https://example.com/result.jpg");
        assertThat(gpt4o.resultUrls()).containsExactly("https://example.com/result/image1.png");
        assertThat(gpt4oFailed.state()).isEqualTo(KieTaskState.FAIL);
        assertThat(gpt4oFailed.failCode()).isEqualTo("400");
    }

    @Test
    void readsSunoStatusAsRunningUntilEveryTrackIsDone() throws Exception {
        KieReports.Report first = KieReports.fromStatus(KieApiFamily.SUNO, data("""
                {"taskId":"5c79be8e","status":"FIRST_SUCCESS","response":{"sunoData":[
                  {"id":"e231","audioUrl":"https://example.cn/1.mp3"}]}}"""));
        KieReports.Report done = KieReports.fromStatus(KieApiFamily.SUNO, data("""
                {"taskId":"5c79be8e","status":"SUCCESS","type":"GENERATE","response":{"taskId":"5c79be8e",
                 "sunoData":[{"id":"e231","audioUrl":"https://example.cn/1.mp3","duration":198.44},
                             {"id":"e232","audioUrl":"https://example.cn/2.mp3","duration":190.1}]}}"""));
        KieReports.Report sensitive = KieReports.fromStatus(KieApiFamily.SUNO, data("""
                {"taskId":"5c79be8e","status":"SENSITIVE_WORD_ERROR","response":null,"errorCode":400}"""));

        assertThat(first.state().isTerminal()).isFalse();
        assertThat(done.state()).isEqualTo(KieTaskState.SUCCESS);
        assertThat(done.resultUrls()).containsExactly("https://example.cn/1.mp3", "https://example.cn/2.mp3");
        assertThat(sensitive.state()).isEqualTo(KieTaskState.FAIL);
    }

    @Test
    void readsEveryFamilysCallback() throws Exception {
        KieReports.Report market = KieReports.fromCallback(json("""
                {"code":200,"msg":"Playground task completed successfully.","data":{"taskId":"bd8f4b1a",
                 "model":"wan/3-0-video-prime","state":"success","param":"{}",
                 "resultJson":"{\\"resultUrls\\":[\\"https://tempfile.aiquickdraw.com/a.mp4\\"]}",
                 "creditsConsumed":61}}"""));
        KieReports.Report veo = KieReports.fromCallback(json("""
                {"code":200,"msg":"Veo3.1 video generated successfully.","data":{"taskId":"veo_task_1",
                 "info":{"resultUrls":["https://example.com/video1.mp4"],"resolution":"1080p"},"fallbackFlag":false}}"""));
        KieReports.Report runway = KieReports.fromCallback(json("""
                {"code":200,"msg":"All generated successfully.","data":{"task_id":"ee603959","video_id":"485da89c",
                 "video_url":"https://file.com/k/x.mp4","image_url":"https://file.com/m/x.png"}}"""));
        KieReports.Report gpt4o = KieReports.fromCallback(json("""
                {"code":200,"msg":"success","data":{"taskId":"task12345",
                 "info":{"result_urls":["https://example.com/result/image1.png"]}}}"""));
        KieReports.Report flux = KieReports.fromCallback(json("""
                {"code":200,"msg":"BFL image generated successfully.","data":{"taskId":"task12345",
                 "info":{"originImageUrl":"https://example.com/o.jpg","resultImageUrl":"https://example.com/r.jpg"}}}"""));

        assertThat(market.resultUrls()).containsExactly("https://tempfile.aiquickdraw.com/a.mp4");
        assertThat(market.creditsConsumed()).isEqualTo(61L);
        assertThat(veo.taskId()).isEqualTo("veo_task_1");
        assertThat(veo.resultUrls()).containsExactly("https://example.com/video1.mp4");
        assertThat(runway.taskId()).isEqualTo("ee603959");
        assertThat(runway.resultUrls()).containsExactly("https://file.com/k/x.mp4");
        assertThat(gpt4o.resultUrls()).containsExactly("https://example.com/result/image1.png");
        assertThat(flux.resultUrls()).containsExactly("https://example.com/r.jpg");
        assertThat(java.util.List.of(market, veo, runway, gpt4o, flux))
                .allMatch(r -> r.state() == KieTaskState.SUCCESS);
    }

    @Test
    void readsLegacyFailuresFromTheEnvelopeCode() throws Exception {
        KieReports.Report veo = KieReports.fromCallback(json("""
                {"code":400,"msg":"Your prompt was flagged as violating content policies.",
                 "data":{"taskId":"veo_task_1","fallbackFlag":false}}"""));
        KieReports.Report runway = KieReports.fromCallback(json("""
                {"code":400,"msg":"Inappropriate content detected.","data":{"task_id":"ee603959","video_id":"",
                 "video_url":"","image_url":""}}"""));
        KieReports.Report gpt4o = KieReports.fromCallback(json("""
                {"code":451,"msg":"Failed to download the image","data":{"taskId":"task12345","info":null}}"""));
        KieReports.Report flux = KieReports.fromCallback(json("""
                {"code":501,"msg":"Image generation task failed","data":{"taskId":"task12345",
                 "info":{"originImageUrl":"","resultImageUrl":""}}}"""));

        assertThat(java.util.List.of(veo, runway, gpt4o, flux)).allSatisfy(r -> {
            assertThat(r.state()).isEqualTo(KieTaskState.FAIL);
            assertThat(r.resultUrls()).isEmpty();
        });
        assertThat(gpt4o.failCode()).isEqualTo("451");
        assertThat(veo.failMessage()).contains("content policies");
    }

    @Test
    void sunoCallsBackThreeTimesAndOnlyCompleteOrErrorIsFinal() throws Exception {
        KieReports.Report text = KieReports.fromCallback(json("""
                {"code":200,"msg":"Text generated","data":{"callbackType":"text","task_id":"2fac9f72","data":[]}}"""));
        KieReports.Report first = KieReports.fromCallback(json("""
                {"code":200,"msg":"First generated","data":{"callbackType":"first","task_id":"2fac9f72",
                 "data":[{"id":"e231","audio_url":"https://example.cn/1.mp3"}]}}"""));
        KieReports.Report complete = KieReports.fromCallback(json("""
                {"code":200,"msg":"All generated successfully.","data":{"callbackType":"complete",
                 "task_id":"2fac9f72","data":[{"id":"e231","audio_url":"https://example.cn/1.mp3",
                 "stream_audio_url":"https://example.cn/s1","duration":198.44},
                 {"id":"e232","audio_url":"https://example.cn/2.mp3"}]}}"""));
        KieReports.Report refunded = KieReports.fromCallback(json("""
                {"code":531,"msg":"generation failed, your credits have been refunded",
                 "data":{"callbackType":"error","task_id":"2fac9f72","data":null}}"""));

        assertThat(text.state().isTerminal()).isFalse();
        assertThat(first.state().isTerminal()).isFalse();
        assertThat(complete.state()).isEqualTo(KieTaskState.SUCCESS);
        assertThat(complete.resultUrls()).containsExactly("https://example.cn/1.mp3", "https://example.cn/2.mp3");
        assertThat(refunded.state()).isEqualTo(KieTaskState.FAIL);
        assertThat(refunded.failCode()).isEqualTo("531");
    }

    @Test
    void aCallbackOfNoKnownShapeIsUnreadable() {
        assertThatThrownBy(() -> KieReports.fromCallback(json("{\"code\":200,\"msg\":\"ok\"}")))
                .isInstanceOf(KieReports.Unreadable.class);
        assertThatThrownBy(() -> KieReports.fromCallback(json(
                "{\"code\":200,\"data\":{\"taskId\":\"t\",\"something\":\"new\"}}")))
                .isInstanceOf(KieReports.Unreadable.class).hasMessageContaining("no known shape");
        assertThatThrownBy(() -> KieReports.fromCallback(json(
                "{\"code\":200,\"data\":{\"taskId\":\"t\",\"state\":\"teleported\"}}")))
                .isInstanceOf(KieReports.Unreadable.class);
    }

    private static JsonNode data(String text) {
        return json(text);
    }

    private static JsonNode json(String text) {
        return MessageCodec.mapper().readTree(text);
    }
}
