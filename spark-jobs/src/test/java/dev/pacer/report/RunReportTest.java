package dev.pacer.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.cli.PacerCli;
import dev.pacer.config.ConfigError;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report of a synthetic run directory written by the test. */
class RunReportTest {

    @TempDir
    Path run;

    private static final List<String> CORE_PLOTS =
            List.of("loss.png", "learning-rate.png", "throughput.png", "gradient-norm.png");

    /** 60 steps, validation every 10, events and config as a pretrain run writes them. */
    private void writeRun(List<String> extraEvents) throws IOException {
        StringBuilder m = new StringBuilder();
        for (int step = 1; step <= 60; step++) {
            double loss = 5.5 * Math.exp(-step / 25.0) + 2.2 + 0.05 * Math.sin(step);
            m.append(String.format(
                    Locale.ROOT,
                    "{\"step\":%d,\"tokens\":%d,\"loss\":%.6f,\"lr\":%.6g,\"grad_norm\":%.4f",
                    step,
                    step * 2048L,
                    loss,
                    1e-3 * Math.min(1, step / 6.0),
                    2.0 / Math.sqrt(step)));
            if (step % 10 == 0) {
                m.append(String.format(
                        Locale.ROOT,
                        ",\"val_loss\":%.6f,\"val_bits_per_byte\":%.6f",
                        loss + 0.1,
                        (loss + 0.1) / Math.log(2)));
            }
            m.append(String.format(
                    Locale.ROOT,
                    ",\"tokens_per_s\":%.1f,\"elapsed_s\":%.2f}%n",
                    20000 + 300 * Math.cos(step),
                    step * 0.1));
        }
        Files.writeString(run.resolve("metrics.jsonl"), m.toString());
        List<String> events = new ArrayList<>(List.of(
                "{\"event\":\"corpus\",\"source\":\"bundled:europarl\",\"documents_read\":17597,\"validation_documents\":335,"
                        + "\"train_sequences\":158343,\"order0_entropy_bits\":5.136}",
                "{\"event\":\"start\",\"step\":0,\"config_digest\":\"abc123\",\"partitions\":2,\"threads_per_task\":1,"
                        + "\"time\":\"2026-01-01T00:00:00Z\"}",
                "{\"event\":\"checkpoint\",\"step\":60,\"path\":\"file:/x/checkpoints/step-0000060\"}"));
        events.addAll(extraEvents);
        events.add("{\"event\":\"finished\",\"step\":60,\"tokens\":122880,\"val_loss\":2.4}");
        Files.writeString(run.resolve("events.jsonl"), String.join("\n", events) + "\n");
        Files.writeString(
                run.resolve("config.json"),
                "{\"seed\":7,\"model\":{\"preset\":\"tiny\"},"
                        + "\"data\":{\"tokenizer\":\"byte\"},\"train\":{\"max-steps\":60,\"grad-clip\":1.0,\"lr\":0.001,"
                        + "\"seq-len\":64,\"global-batch\":32},\"optimizer\":{\"name\":\"adamw\"},\"adalrs\":{\"enabled\":false}}\n");
    }

    private RunReport.Written report() throws IOException {
        return RunReport.write(run.toString(), null, new Configuration(), w -> {});
    }

    @Test
    void plotsDecodeAndThePageEmbedsThemAndNamesTheConfig() throws IOException {
        writeRun(List.of());
        RunReport.Written w = report();
        Path dir = run.resolve("report");
        assertEquals(
                dir.resolve("report.html").toUri().getPath(), w.html().toUri().getPath());
        String html = Files.readString(dir.resolve("report.html"));
        List<byte[]> embedded = embeddedImages(html);
        assertEquals(CORE_PLOTS.size(), embedded.size());
        for (int i = 0; i < CORE_PLOTS.size(); i++) {
            byte[] png = Files.readAllBytes(dir.resolve(CORE_PLOTS.get(i)));
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
            assertNotNull(img, CORE_PLOTS.get(i) + " does not decode as an image");
            assertEquals(ChartStyle.WIDTH * ChartStyle.SCALE, img.getWidth());
            assertEquals(ChartStyle.HEIGHT * ChartStyle.SCALE, img.getHeight());
            assertFalse(isBlank(img), CORE_PLOTS.get(i) + " is blank");
            assertArrayEquals(png, embedded.get(i), "the page embeds " + CORE_PLOTS.get(i) + " as written");
        }
        assertFalse(Files.exists(dir.resolve("group-rates.png")));
        assertTrue(html.contains("pacer.train.max-steps") && html.contains("pacer.model.preset"), "config table");
        assertTrue(html.contains("<code>pacer.model.preset</code></th><td><code>tiny</code>"), "config values");
        assertTrue(html.contains("abc123"), "config digest (provenance)");
        assertTrue(html.contains("finished"), "status");
        assertTrue(html.contains("bundled:europarl"), "corpus");
        assertFalse(html.contains("<h2>AdaLRS decisions"), "no AdaLRS section without adalrs events");
        assertFalse(
                html.contains("<h2>Hi-DLR") || html.contains("<h2>Parameter-group influence"),
                "no Hi-DLR sections without hidlr_probe events");
        assertFalse(html.contains("<script"), "no scripts");
        assertFalse(html.matches("(?s).*(src|href)=\"(?!data:)[^\"]+\".*"), "no external references");
    }

    private static String card(String html, String name) {
        Matcher m = Pattern.compile("<div class=\"k\">" + name + "</div><div class=\"v\">([^<]*)</div>")
                .matcher(html);
        return m.find() ? m.group(1) : null;
    }

    /** A BPE run as pretrain writes it now: the validation_set event names the tokenizer. */
    @Test
    void aBpeRunReportsBitsPerByteFromItsRowsAndUnitsPerToken() throws IOException {
        writeRun(List.of("{\"event\":\"validation_set\",\"sequences\":64,\"tokens\":4096,\"bytes\":10240,"
                + "\"tokenizer\":{\"type\":\"huggingface\",\"model\":\"BPE\",\"source\":\"/t/gpt2.json\","
                + "\"sha256\":\"0123456789abcdef\",\"vocab_size\":557,\"end_of_document_id\":556,"
                + "\"end_of_document_token\":\"<|endoftext|>\"}}"));
        // the validation rows' bits per byte: 2.5 bytes a token
        String metrics = Files.readString(run.resolve("metrics.jsonl"));
        Matcher m = Pattern.compile("\"val_loss\":([0-9.]+),\"val_bits_per_byte\":[0-9.]+")
                .matcher(metrics);
        StringBuilder out = new StringBuilder();
        double last = Double.NaN;
        while (m.find()) {
            last = Double.parseDouble(m.group(1));
            m.appendReplacement(
                    out,
                    String.format(
                            Locale.ROOT,
                            "\"val_loss\":%s,\"val_bits_per_byte\":%.6f",
                            m.group(1),
                            last / Math.log(2) / 2.5));
        }
        m.appendTail(out);
        Files.writeString(run.resolve("metrics.jsonl"), out.toString());
        String html = Files.readString(Path.of(report().html().toUri()));
        assertEquals(String.format(Locale.ROOT, "%.3f", last / Math.log(2) / 2.5), card(html, "bits per byte"));
        assertTrue(html.contains("order-0 entropy 5.136 bits/token"), "the corpus entropy is per token");
        assertTrue(html.contains("knows only token frequencies"), "loss caption");
        long params = dev.pacer.model.ModelPreset.TINY.config(557).parameterCount();
        assertTrue(html.contains(String.format(Locale.ROOT, "(%,d parameters, BPE tokenizer.json", params)), html);

        // a BPE run from before validation rows had bits per byte: per token, and said so
        Files.writeString(
                run.resolve("metrics.jsonl"),
                Files.readString(run.resolve("metrics.jsonl")).replace("val_bits_per_byte", "val_bits_per_token"));
        Files.writeString(
                run.resolve("events.jsonl"),
                Files.readString(run.resolve("events.jsonl")).replaceAll("(?m)^.*validation_set.*\n", ""));
        Files.writeString(
                run.resolve("config.json"),
                Files.readString(run.resolve("config.json"))
                        .replace("\"tokenizer\":\"byte\"", "\"tokenizer\":\"/t/gpt2.json\""));
        html = Files.readString(Path.of(report().html().toUri()));
        assertEquals(null, card(html, "bits per byte"));
        assertEquals(String.format(Locale.ROOT, "%.3f", last / Math.log(2)), card(html, "bits per token"));
    }

    @Test
    void aScheduleThatEndsAtZeroAndAZeroGradientNormStillPlot() throws IOException {
        // wsd with min-lr-ratio = 0 logs lr 0 on its last step; a log axis cannot draw a zero
        writeRun(List.of());
        Path metrics = run.resolve("metrics.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(metrics));
        int last = lines.size() - 1;
        lines.set(
                last,
                lines.get(last)
                        .replaceFirst("\"lr\":[^,]+", "\"lr\":0.0")
                        .replaceFirst("\"grad_norm\":[^,]+", "\"grad_norm\":0.0"));
        Files.write(metrics, lines);
        report();
        for (String plot : CORE_PLOTS) {
            assertNotNull(ImageIO.read(run.resolve("report").resolve(plot).toFile()), plot);
        }
    }

    @Test
    void controllerSectionsAppearWhenTheirEventsExist() throws IOException {
        writeRun(
                List.of(
                        "{\"event\":\"adalrs\",\"step\":20,\"round\":0,\"outcome\":\"accept\",\"old_level\":1.0,\"new_level\":3.0,"
                                + "\"v_base\":0.01,\"v_try\":0.03,\"margin\":0.005}",
                        "{\"event\":\"adalrs\",\"step\":30,\"round\":1,\"outcome\":\"reject\",\"old_level\":3.0,\"new_level\":1.5,"
                                + "\"v_base\":0.02,\"v_try\":0.001,\"margin\":0.004}",
                        "{\"event\":\"hidlr_probe\",\"step\":25,\"groups\":[{\"group\":\"attention\",\"b\":0.4,\"A\":2.0,\"r2\":0.98,"
                                + "\"rate\":0.002,\"ppi\":1e-5},{\"group\":\"mlp\",\"b\":0.9,\"A\":1.5,\"r2\":0.95,\"rate\":0.006,"
                                + "\"ppi\":4e-5}]}",
                        "{\"event\":\"hidlr_probe\",\"step\":50,\"groups\":{\"attention\":{\"b\":0.3,\"A\":2.5,\"r2\":0.9,"
                                + "\"rate\":0.0012,\"ppi\":7e-6},\"mlp\":{\"b\":0.5,\"A\":1.1,\"r2\":0.97,\"rate\":0.0045,\"ppi\":2e-5}}}"));
        report();
        Path dir = run.resolve("report");
        String html = Files.readString(dir.resolve("report.html"));
        assertEquals(CORE_PLOTS.size() + 2, embeddedImages(html).size());
        assertNotNull(ImageIO.read(dir.resolve("group-rates.png").toFile()));
        assertNotNull(ImageIO.read(dir.resolve("adalrs-level.png").toFile()));
        assertTrue(html.contains("<h2>AdaLRS decisions"), "AdaLRS table");
        assertTrue(html.contains("<h2>Hi-DLR rates per parameter group"), "Hi-DLR plot");
        assertTrue(html.contains(">accept<") && html.contains(">reject<"), "outcomes listed");
        assertTrue(html.contains("v try"), "extra decision fields as columns");
        assertTrue(html.contains("Parameter-group influence (PPI)"), "PPI table");
        int mlp = html.indexOf("<td>mlp</td>", html.indexOf("Parameter-group influence"));
        int attention = html.indexOf("<td>attention</td>", html.indexOf("Parameter-group influence"));
        assertTrue(mlp > 0 && attention > mlp, "latest probe's groups, sorted by PPI");

        // rewritten after the Hi-DLR events are gone: its plot file goes too
        writeRun(List.of());
        report();
        assertFalse(Files.exists(dir.resolve("group-rates.png")));
        assertFalse(Files.exists(dir.resolve("adalrs-level.png")));
    }

    /** Two paired trials accepted (0.1 to 0.3 to 0.891), one rejected (2.646); levels per step. */
    private void writePairedAdaLrsRun() throws IOException {
        writeRun(List.of(
                pairedTrial(15, 0, "accept", 0.1, 0.3, 0.3, -0.12, 0.01, 15),
                pairedTrial(25, 1, "accept", 0.3, 0.891, 0.891, -0.05, 0.008, 25),
                pairedTrial(35, 2, "reject", 0.891, 2.646, 0.891, 0.02, 0.005, 35)));
        Path metrics = run.resolve("metrics.jsonl");
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(metrics)) {
            int step = Integer.parseInt(line.replaceFirst("^\\{\"step\":(\\d+),.*", "$1"));
            double level = step <= 15 ? 0.1 : step <= 25 ? 0.3 : 0.891;
            lines.add(line.replaceFirst("}$", ",\"lr_level\":" + level + ",\"adalrs_phase\":\"outside\"}"));
        }
        Files.write(metrics, lines);
    }

    private static String pairedTrial(
            int step, int round, String outcome, double old, double trial, double next, double d, double e, int extra) {
        return String.format(
                Locale.ROOT,
                "{\"event\":\"adalrs\",\"step\":%d,\"round\":%d,\"comparison\":\"paired\",\"direction\":\"up\","
                        + "\"paired_difference\":%s,\"paired_error\":%s,\"margin\":%s,\"old_level\":%s,\"trial_level\":%s,"
                        + "\"extra_steps\":%d,\"outcome\":\"%s\",\"new_level\":%s}",
                step,
                round,
                d,
                e,
                e,
                old,
                trial,
                extra,
                outcome,
                next);
    }

    @Test
    void aPairedAdaLrsRunShowsWhereTheLevelWentAndEveryTrialsDifference() throws IOException {
        writePairedAdaLrsRun();
        report();
        Path dir = run.resolve("report");
        String html = Files.readString(dir.resolve("report.html"));
        BufferedImage trials =
                ImageIO.read(dir.resolve(AdaLrsExplained.TRIALS_PNG).toFile());
        assertNotNull(trials, "trials plot");
        assertFalse(isBlank(trials));
        assertEquals(CORE_PLOTS.size() + 2, embeddedImages(html).size(), "level and trials plots embedded");
        // config: pacer.train.lr 0.001, 60 planned steps; the last row's level is 0.891
        assertTrue(html.contains("<h2>Where the AdaLRS level went"), html);
        assertTrue(html.contains("<th>start rate</th><td>1.000e-03 (pacer.train.lr)"), "start rate");
        assertTrue(html.contains("<th>first level</th><td>0.1000: a rate of 1.000e-04"), "first level");
        assertTrue(
                html.contains("<th>settled on</th><td>level 0.8910: a rate of 8.910e-04, 0.8910\u00d7 the start rate"),
                "settled rate against the start");
        assertTrue(html.contains("<th>trials</th><td>3: 2 accepted, 1 rejected, 0 neutral"), "trial counts");
        assertTrue(
                html.contains("<th>extra compute</th><td>35 replayed steps, 58.3% of the 60 planned"), "extra compute");
        int header =
                html.indexOf("<th>new level</th><th>trial level</th><th>paired difference</th><th>paired error</th>");
        assertTrue(header > 0, "the trial's level, difference and error lead the decision columns");

        // the plotted points are the events' differences, with their errors as error bars
        RunRecords records =
                RunRecords.read(new dev.pacer.run.RunStorage(run.toString(), new Configuration()), w -> {});
        org.knowm.xchart.XYChart chart = AdaLrsExplained.trialsChart(ControllerEvents.adaLrs(records));
        var accepts = chart.getSeriesMap().get("accept");
        assertArrayEquals(new double[] {15, 25}, accepts.getXData());
        assertArrayEquals(new double[] {-0.12, -0.05}, accepts.getYData());
        assertArrayEquals(new double[] {0.01, 0.008}, accepts.getExtraValues());
        assertArrayEquals(
                new double[] {0.02}, chart.getSeriesMap().get("reject").getYData());
    }

    @Test
    void outputElsewhereAndAResumedRunsWallTime() throws IOException {
        writeRun(List.of());
        Path out = run.resolve("elsewhere");
        RunReport.write(run.toString(), out.toString(), new Configuration(), w -> {});
        assertTrue(Files.exists(out.resolve("report.html")) && Files.exists(out.resolve("loss.png")));
        RunRecords r = RunRecords.read(new dev.pacer.run.RunStorage(run.toString(), new Configuration()), w -> {});
        assertEquals(6.0, r.wallSeconds(), 1e-9);
        Files.writeString(
                run.resolve("metrics.jsonl"),
                "{\"step\":1,\"tokens\":1,\"loss\":3,\"elapsed_s\":5}\n"
                        + "{\"step\":2,\"tokens\":2,\"loss\":3,\"elapsed_s\":7}\n{\"step\":3,\"tokens\":3,\"loss\":3,\"elapsed_s\":2}\n"
                        + "{\"step\":4,\"tok");
        List<String> warnings = new ArrayList<>();
        r = RunRecords.read(new dev.pacer.run.RunStorage(run.toString(), new Configuration()), warnings::add);
        assertEquals(9.0, r.wallSeconds(), 1e-9, "7 s in the first invocation, 2 in the resumed one");
        assertEquals(3, r.metrics().size());
        assertEquals(1, warnings.size(), "the cut-off row is reported");
    }

    @Test
    void chartsFollowTheBranchAPairedAdaLrsRoundKept() throws IOException {
        // two paired rounds of 2 steps: round 1 (steps 2-3) accepted its trial, round 2 (steps
        // 4-5) rejected it; every computed step has a row, in the order computed
        String[][] rows = {
            {"1", "outside"},
            {"2", "base"},
            {"3", "base"},
            {"2", "trial"},
            {"3", "trial"},
            {"4", "base"},
            {"5", "base"},
            {"4", "trial"},
            {"5", "trial"},
            {"6", "outside"}
        };
        StringBuilder m = new StringBuilder();
        for (int i = 0; i < rows.length; i++) {
            m.append(String.format(
                    Locale.ROOT,
                    "{\"step\":%s,\"tokens\":%d,\"loss\":%d,\"lr\":0.001,"
                            + "\"lr_level\":1,\"adalrs_phase\":\"%s\"}%n",
                    rows[i][0],
                    (i + 1) * 100,
                    i,
                    rows[i][1]));
        }
        Files.writeString(run.resolve("metrics.jsonl"), m.toString());
        Files.writeString(
                run.resolve("events.jsonl"),
                "{\"event\":\"adalrs\",\"step\":3,\"replayed_from\":1,\"outcome\":\"accept\"}\n"
                        + "{\"event\":\"adalrs\",\"step\":5,\"replayed_from\":3,\"outcome\":\"reject\"}\n");
        RunRecords r = RunRecords.read(new dev.pacer.run.RunStorage(run.toString(), new Configuration()), w -> {});
        assertEquals(10, r.metrics().size(), "every computed step stays a row");
        // kept: step 1, the trial of round 1 (rows 3, 4), the base of round 2 (rows 5, 6), step 6
        assertEquals(
                List.of(0.0, 3.0, 4.0, 5.0, 6.0, 9.0),
                r.trajectory().stream().map(RunRecords.MetricRow::loss).toList());
    }

    @Test
    void aDirectoryWithoutMetricsIsAClearError() throws IOException {
        ConfigError e = assertThrows(ConfigError.class, this::report);
        assertTrue(e.getMessage().contains("metrics.jsonl"), e.getMessage());
        Files.writeString(run.resolve("metrics.jsonl"), "\n");
        e = assertThrows(ConfigError.class, this::report);
        assertTrue(e.getMessage().contains("no metric row"), e.getMessage());

        StringWriter err = new StringWriter();
        assertEquals(
                2,
                PacerCli.run(
                        new PrintWriter(err, true),
                        "report",
                        run.resolve("nothing-here").toString()));
        assertTrue(err.toString().contains("no such run directory"), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, PacerCli.run(new PrintWriter(err, true), "report", run.toString()));
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
    }

    private static List<byte[]> embeddedImages(String html) {
        List<byte[]> out = new ArrayList<>();
        Matcher m = Pattern.compile("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"")
                .matcher(html);
        while (m.find()) {
            out.add(Base64.getDecoder().decode(m.group(1)));
        }
        return out;
    }

    private static boolean isBlank(BufferedImage img) {
        int first = img.getRGB(0, 0);
        for (int y = 0; y < img.getHeight(); y += 7) {
            for (int x = 0; x < img.getWidth(); x += 7) {
                if (img.getRGB(x, y) != first) {
                    return false;
                }
            }
        }
        return true;
    }
}
