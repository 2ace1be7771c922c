package dev.pacer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.pacer.data.source.SourceFormat;
import dev.pacer.data.source.TextUnit;
import dev.pacer.data.source.Utf8Policy;
import org.junit.jupiter.api.Test;

/** Every pacer.data key: documented default, and a one-line error naming the key when out of range. */
class DataSettingsTest {

    private static DataSettings load(String hocon) {
        Config c = ConfigFactory.parseString(hocon)
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
        return DataSettings.from(c.getConfig("pacer.data"));
    }

    @Test
    void defaults() {
        DataSettings d = load("");
        assertTrue(d.bundled());
        assertEquals("byte", d.tokenizer());
        assertEquals(SourceFormat.AUTO, d.format());
        assertEquals(TextUnit.LINE, d.textUnit());
        assertEquals("text", d.textField());
        assertEquals(Utf8Policy.REPLACE, d.invalidUtf8());
        assertEquals(0.01, d.maxBadFraction());
        assertEquals(0.05, d.maxNonTextFraction());
        assertEquals(0.05, d.readOptions().maxNonTextFraction());
        assertEquals(0, d.seqLen());
        assertEquals(0, d.shards());
        assertEquals(false, d.dedup());
        assertEquals(0, d.version());
    }

    @Test
    void badValuesNameTheirKey() {
        String[][] cases = {
            {"pacer.data.format = csv", "pacer.data.format"},
            {"pacer.data.text-unit = paragraph", "pacer.data.text-unit"},
            {"pacer.data.invalid-utf8 = drop", "pacer.data.invalid-utf8"},
            {"pacer.data.max-bad-fraction = 1.5", "pacer.data.max-bad-fraction"},
            {"pacer.data.max-non-text-fraction = 1.01", "pacer.data.max-non-text-fraction"},
            {"pacer.data.max-non-text-fraction = -0.1", "pacer.data.max-non-text-fraction"},
            {"pacer.data.max-non-text-fraction = NaN", "pacer.data.max-non-text-fraction"},
            {"pacer.data.seq-len = -1", "pacer.data.seq-len"},
            {"pacer.data.shards = -2", "pacer.data.shards"},
            {"pacer.data.text-field = \" \"", "pacer.data.text-field"},
            {"pacer.data.tokenizer = \"\"", "pacer.data.tokenizer"},
            {"pacer.data.validation-fraction = 0.7", "pacer.data.validation-fraction"},
            {"pacer.data.max-documents = -1", "pacer.data.max-documents"},
            {"pacer.data.version = -1", "pacer.data.version"},
        };
        for (String[] c : cases) {
            String m = assertThrows(IllegalArgumentException.class, () -> load(c[0]), c[0])
                    .getMessage();
            assertTrue(m.startsWith(c[1]), m);
            assertEquals(1, m.lines().count(), m);
        }
    }
}
