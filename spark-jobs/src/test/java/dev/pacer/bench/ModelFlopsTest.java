package dev.pacer.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pacer.model.GptConfig;
import dev.pacer.model.ModelPreset;
import org.junit.jupiter.api.Test;

/** The model-FLOP count of the throughput tables, two ways. */
class ModelFlopsTest {

    @Test
    void smallPresetByHand() {
        // 6 x (8 layers x 12 x 256^2 + 257 x 256) + 12 x 8 x 256 x 128
        assertEquals(41_289_216.0, ThroughputBenchmark.trainingFlopsPerToken(ModelPreset.SMALL.config(257), 128));
    }

    /** The GEMMs the matmul peak is measured at are exactly the model FLOPs of a micro-batch. */
    @Test
    void gemmListCoversTheModelFlopsOfEveryPreset() {
        for (ModelPreset preset : ModelPreset.values()) {
            GptConfig c = preset.config(257);
            int micro = 8;
            int seq = Math.min(128, c.context());
            double listed = MatmulPeaks.gemms(c, micro, seq).stream()
                    .mapToDouble(MatmulPeaks.Gemm::flops)
                    .sum();
            assertEquals(
                    ThroughputBenchmark.trainingFlopsPerToken(c, seq) * micro * seq,
                    listed,
                    1e-9 * listed,
                    preset.id());
        }
    }
}
