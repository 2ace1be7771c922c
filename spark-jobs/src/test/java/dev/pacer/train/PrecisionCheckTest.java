package dev.pacer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.engine.Bf16Hardware;
import dev.pacer.engine.Precision;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rule of docs/precision.md: bf16 only where every executor has a native bf16 path. */
class PrecisionCheckTest {

    private static final Bf16Hardware ZEN4 = new Bf16Hardware(true, "AMD EPYC 9R14", "avx512_bf16");
    private static final Bf16Hardware ZEN3 = new Bf16Hardware(false, "AMD EPYC 7R13", "none of avx512_bf16, amx_bf16");

    @Test
    void bf16RunsWhereEveryExecutorHasANativePath() {
        PrecisionCheck.Decision d = PrecisionCheck.decide(Precision.BF16, List.of(ZEN4, ZEN4));
        assertEquals(Precision.BF16, d.effective());
        assertEquals("bf16", d.event().get("effective").asText());
        assertEquals(1, d.event().get("executor_cpus").size());
        assertFalse(d.event().has("reason"));
    }

    @Test
    void oneExecutorWithoutFallsTheRunBackToFp32AndSaysWhy() {
        PrecisionCheck.Decision d = PrecisionCheck.decide(Precision.BF16, List.of(ZEN4, ZEN3, ZEN3));
        assertEquals(Precision.FP32, d.effective());
        assertEquals("precision", d.event().get("event").asText());
        assertEquals("bf16", d.event().get("requested").asText());
        assertEquals("fp32", d.event().get("effective").asText());
        String reason = d.event().get("reason").asText();
        assertTrue(reason.contains("AMD EPYC 7R13") && !reason.contains("9R14"), reason);
        assertEquals(2, d.event().get("executor_cpus").size());
    }

    @Test
    void fp32NeedsNoCheck() {
        PrecisionCheck.Decision d = PrecisionCheck.decide(Precision.FP32, List.of(ZEN3));
        assertEquals(Precision.FP32, d.effective());
        assertNull(d.event());
    }
}
