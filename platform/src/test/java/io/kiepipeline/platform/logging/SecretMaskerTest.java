package io.kiepipeline.platform.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretMaskerTest {
    @Test
    void masksRegisteredSecretsWhereverTheyAppear() {
        SecretMasker.register("s3cr3t-value-xyz");

        assertThat(SecretMasker.mask("connecting with s3cr3t-value-xyz now")).isEqualTo("connecting with **** now");
    }

    @Test
    void masksCredentialParametersBearerTokensAndBotPaths() {
        assertThat(SecretMasker.mask("POST /kie/callback/1?token=abc.def&x=1")).isEqualTo(
                "POST /kie/callback/1?token=****&x=1");
        assertThat(SecretMasker.mask("Authorization: Bearer eyJhbGciOi.J9")).isEqualTo("Authorization: Bearer ****");
        assertThat(SecretMasker.mask("https://api.telegram.org/bot123456:AAE-xyz_1/sendMessage"))
                .isEqualTo("https://api.telegram.org/bot****/sendMessage");
    }

    @Test
    void masksASecretThatContainsAnotherWhole() {
        SecretMasker.register("shared-prefix-key");
        SecretMasker.register("shared-prefix-key-second-account");

        assertThat(SecretMasker.mask("keys shared-prefix-key-second-account and shared-prefix-key"))
                .isEqualTo("keys **** and ****");
    }

    @Test
    void leavesOrdinaryTextAlone() {
        assertThat(SecretMasker.mask("job.created jobId=42 model=google/nano-banana"))
                .isEqualTo("job.created jobId=42 model=google/nano-banana");
        assertThat(SecretMasker.mask(null)).isNull();
    }

    @Test
    void ignoresSecretsTooShortToMaskSafely() {
        SecretMasker.register("ab");
        assertThat(SecretMasker.mask("abc cab")).isEqualTo("abc cab");
    }
}
