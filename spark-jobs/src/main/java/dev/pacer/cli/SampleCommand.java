package dev.pacer.cli;

import ai.djl.Device;
import dev.pacer.config.ConfigError;
import dev.pacer.engine.EngineThreads;
import dev.pacer.generate.Generator;
import dev.pacer.generate.NextTokenSampler;
import dev.pacer.generate.SamplingSettings;
import dev.pacer.run.TrainedModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pacer sample}: a continuation of a prompt. Prompt rules (docs/reports.md): the prompt
 * must be non-empty UTF-8 text of at most the model's context in tokens; text holding U+FFFD
 * (bytes the command line could not decode) or symbols the tokenizer cannot encode is refused.
 */
@Command(
        name = "sample",
        mixinStandardHelpOptions = true,
        description = "Continue a prompt with a checkpoint: greedy, or sampled with temperature and top-k;"
                + " the same seed gives the same text.")
public final class SampleCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CheckpointOption checkpoint = new CheckpointOption();

    @ArgGroup(exclusive = true, multiplicity = "1")
    PromptSource prompt;

    static final class PromptSource {
        @Option(names = "--prompt", paramLabel = "TEXT", description = "Text to continue.")
        String text;

        @Option(names = "--prompt-file", paramLabel = "FILE", description = "UTF-8 file whose text to continue.")
        Path file;
    }

    @Option(
            names = "--max-tokens",
            paramLabel = "N",
            description = "Tokens to generate at most (default ${DEFAULT-VALUE}).")
    int maxTokens = 200;

    @Option(
            names = "--temperature",
            paramLabel = "T",
            description = "Softmax temperature; 0 = greedy (default ${DEFAULT-VALUE}).")
    double temperature = 0.8;

    @Option(
            names = "--top-k",
            paramLabel = "K",
            description = "Draw only among the K most likely tokens; 0 = all (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--greedy", description = "Always take the most likely token (same as --temperature 0).")
    boolean greedy;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the draws (default ${DEFAULT-VALUE}).")
    long seed = 1234;

    @Option(
            names = "--past-end",
            description = "Keep generating after an end-of-document token (printed by name, e.g. <|endoftext|>)"
                    + " instead of stopping.")
    boolean pastEnd;

    @Override
    public Integer call() throws Exception {
        if (maxTokens < 1) {
            throw new ConfigError("--max-tokens " + maxTokens + ": expected >= 1");
        }
        SamplingSettings settings;
        try {
            settings = new SamplingSettings(greedy ? 0 : temperature, topK, seed);
        } catch (IllegalArgumentException e) {
            throw new ConfigError((topK < 0 ? "--top-k: " : "--temperature: ") + e.getMessage());
        }
        String text = promptText();
        if (text.isEmpty()) {
            throw new ConfigError("the prompt is empty: give at least one character to continue");
        }
        TrainedModel model =
                checkpoint.open(new Configuration(), spec.commandLine().getErr());
        int[] ids = encodePrompt(model, text);
        EngineThreads.configure(Runtime.getRuntime().availableProcessors());
        int[] continuation;
        try (Generator generator = new Generator(model.layout(), model.weights(), Device.cpu())) {
            continuation = generator.continuation(
                    ids,
                    maxTokens,
                    new NextTokenSampler(settings),
                    pastEnd ? -1 : model.tokenizer().endOfDocument());
        }
        // raw bytes, so the text comes out whatever the locale's charset; the tokens' bytes are
        // joined before decoding, so a character split across tokens comes out whole
        PrintStream out = System.out;
        out.write(model.tokenizer().open().render(continuation));
        out.write('\n');
        out.flush();
        return 0;
    }

    /** The prompt's text; a file must be valid UTF-8. */
    private String promptText() throws IOException {
        if (prompt.text != null) {
            int bad = prompt.text.indexOf('\uFFFD');
            if (bad >= 0) {
                throw new ConfigError("--prompt: character " + bad + " is U+FFFD, the mark of bytes the command line"
                        + " could not decode (the locale's charset is " + System.getProperty("sun.jnu.encoding")
                        + "); run under a UTF-8 locale (LANG=C.UTF-8) or pass the text with --prompt-file");
            }
            return prompt.text;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(prompt.file);
        } catch (NoSuchFileException e) {
            throw new ConfigError("--prompt-file " + prompt.file + ": no such file");
        }
        CharsetDecoder strict = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            return strict.decode(in).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigError("--prompt-file " + prompt.file + ": byte " + in.position()
                    + " is not valid UTF-8; the tokenizer reads UTF-8 text, so convert the file (iconv -t UTF-8)");
        }
    }

    private static int[] encodePrompt(TrainedModel model, String text) {
        int[] ids;
        try {
            ids = model.tokenizer().open().encode(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigError("the prompt cannot be tokenized: " + e.getMessage());
        }
        int context = model.layout().config().context();
        if (ids.length > context) {
            throw new ConfigError("the prompt is " + ids.length + " tokens but the "
                    + model.preset().id()
                    + " model reads at most " + context + "; shorten it (generation then keeps the newest " + context
                    + " tokens in view)");
        }
        return ids;
    }
}
