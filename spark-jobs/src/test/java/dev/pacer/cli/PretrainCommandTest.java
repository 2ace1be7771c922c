package dev.pacer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The closing line's validation part: bits from nats, and no "NaN" for a run stopped before its first validation. */
class PretrainCommandTest {

    @Test
    void validationLossIsGivenInNatsAndBits() {
        // the metrics' bits per byte when the tokenizer is byte-level
        assertEquals(
                "validation loss 2.0000 nats/token = 1.1542 bits/byte",
                PretrainCommand.validationPhrase(2.0, 2.0 / Math.log(2) / 2.5, 300));
        // otherwise 2 nats = 2 / ln 2 = 2.885390 bits per token
        assertEquals(
                "validation loss 2.0000 nats/token = 2.8854 bits/token",
                PretrainCommand.validationPhrase(2.0, Double.NaN, 300));
    }

    @Test
    void aRunStoppedBeforeItsFirstValidationSaysWhenItComes() {
        assertEquals(
                "no validation loss yet (validation runs every 300 steps, pacer.train.eval-every, and after"
                        + " the last step)",
                PretrainCommand.validationPhrase(Double.NaN, Double.NaN, 300));
    }
}
