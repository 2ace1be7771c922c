package dev.pacer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.pacer.data.CorpusPartition;
import dev.pacer.model.ParameterLayout;
import dev.pacer.run.PacerSettings;
import dev.pacer.transfer.Bf16Codec;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/**
 * {@code pacer.spark.gradient-encoding = bf16}: each task's gradient travels as the bf16 encoding
 * of exactly what it sends in fp32 (synthetic compute: the same numbers on every CPU), frozen
 * groups' packed gradients included, and the driver sums the decoded values in fp32.
 */
class GradientEncodingTest {

    private static final String BASE = LocalRun.BASE + "\npacer.data.max-documents = 500\npacer.run.dir = unused";

    private static List<StepResult> step(String encoding, boolean[] trainable) {
        PacerSettings settings =
                PacerSettings.load(ConfigFactory.parseString(BASE + "\npacer.spark.gradient-encoding = " + encoding));
        CorpusData corpus = CorpusData.open(settings, new Configuration());
        ParameterLayout layout = new ParameterLayout(settings.gptConfig(corpus.vocabSize()));
        List<CorpusPartition> data = corpus.loadHere();
        GradientWorker worker = new PretrainJob(settings, 0, List.of()).worker(layout, 1);
        return new LocalGradients(data, worker).gradients(layout.initialWeights(settings.seed()), 3, trainable, "test");
    }

    @Test
    void bf16CarriesTheEncodingOfTheFp32Gradients() {
        List<StepResult> fp32 = step("fp32", null);
        List<StepResult> bf16 = step("bf16", null);
        assertEquals(2, bf16.size());
        for (int p = 0; p < 2; p++) {
            assertNull(fp32.get(p).bf16Gradients());
            assertNull(bf16.get(p).gradients(), "bf16 results must not also carry fp32 gradients");
            assertNotNull(bf16.get(p).bf16Gradients());
            float[] sent = fp32.get(p).fp32Gradients();
            assertArrayEquals(
                    Bf16Codec.decode(Bf16Codec.encode(sent)), bf16.get(p).fp32Gradients());
            assertEquals(fp32.get(p).lossSum(), bf16.get(p).lossSum());
            assertTrue(
                    !java.util.Arrays.equals(sent, bf16.get(p).fp32Gradients()),
                    "rounding to bf16 changed nothing: the gradients did not travel as bf16");
        }
    }

    @Test
    void frozenGroupsPackedGradientsAreEncodedToo() {
        boolean[] trainable = new boolean
                [new ParameterLayout(dev.pacer.model.ModelPreset.TINY.config(257))
                        .tensors()
                        .size()];
        trainable[0] = true; // the token embedding and the final norm's bias: two packed ranges
        trainable[trainable.length - 1] = true;
        List<StepResult> fp32 = step("fp32", trainable);
        List<StepResult> bf16 = step("bf16", trainable);
        for (int p = 0; p < 2; p++) {
            assertArrayEquals(
                    Bf16Codec.decode(Bf16Codec.encode(fp32.get(p).gradients())),
                    bf16.get(p).fp32Gradients());
        }
    }
}
