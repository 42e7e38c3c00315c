package io.kiepipeline.platform.logging;

import ch.qos.logback.classic.pattern.KeyValuePairConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/** {@code %maskedKvp}: the structured key-value pairs ({@code jobId=…}) with secrets masked. */
public class MaskedKeyValuePairsConverter extends KeyValuePairConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return SecretMasker.mask(super.convert(event));
    }
}
