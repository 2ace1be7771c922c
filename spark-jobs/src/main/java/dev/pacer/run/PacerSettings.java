package dev.pacer.run;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import dev.pacer.adalrs.AdaLrsSettings;
import dev.pacer.config.Check;
import dev.pacer.config.CheckpointSettings;
import dev.pacer.config.ConfigChecker;
import dev.pacer.config.ConfigError;
import dev.pacer.config.ModelSettings;
import dev.pacer.config.OptimizerSettings;
import dev.pacer.config.TrainSettings;
import dev.pacer.data.ByteTokenizer;
import dev.pacer.data.DataSettings;
import dev.pacer.engine.Compute;
import dev.pacer.engine.CpuKernels;
import dev.pacer.engine.DeviceChoice;
import dev.pacer.engine.Precision;
import dev.pacer.hidlr.HiDlrSettings;
import dev.pacer.hidlr.ParameterGroups;
import dev.pacer.model.GptConfig;
import dev.pacer.model.ParameterLayout;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every setting of a run, validated in one place before Spark starts. Built from the merged
 * reference.conf files overlaid by the user's config (profile, --conf files, --set overrides).
 */
public record PacerSettings(
        Config resolved,
        long seed,
        ModelSettings model,
        TrainSettings train,
        OptimizerSettings optimizer,
        CheckpointSettings checkpoint,
        AdaLrsSettings adalrs,
        HiDlrSettings hidlr,
        DataSettings data,
        String runDir,
        String initFrom,
        String master,
        int partitions,
        int taskThreads,
        DeviceChoice.Setting device,
        Compute compute,
        Update update,
        Precision precision,
        Precision gradientEncoding,
        Precision weightEncoding,
        boolean fusedStep,
        Map<String, String> sparkConf,
        long progressLogSeconds) {

    /** {@code pacer.spark.update}: where the weights, the optimizer and the update live. */
    public enum Update {
        /** On the driver: every step broadcasts the weights and collects every gradient. */
        DRIVER,
        /** On the executors (ZeRO-1): replicas and optimizer shards stay there; the driver sees scalars. */
        SHARDED;

        static Update parse(String value) {
            for (Update u : values()) {
                if (u.name().equalsIgnoreCase(value)) {
                    return u;
                }
            }
            throw new ConfigError("pacer.spark.update = \"" + value + "\": expected driver or sharded");
        }
    }

    /** Validates {@code user} against the reference and builds the settings; throws ConfigError. */
    public static PacerSettings load(Config user) {
        Config reference = ConfigFactory.defaultReference();
        ConfigChecker.checkKnownKeys(user, reference);
        Config resolved;
        try {
            Config merged = user.withFallback(reference);
            // a preset brings its own defaults for what must change with the model's size
            resolved = user.withFallback(ConfigFactory.parseMap(presetDefaults(merged)))
                    .withFallback(reference)
                    .resolve();
            return from(resolved);
        } catch (ConfigException e) {
            throw ConfigChecker.explain(e);
        }
    }

    private static java.util.Map<String, Object> presetDefaults(Config merged) {
        try {
            return dev.pacer.model.ModelPreset.fromId(merged.getString("pacer.model.preset"))
                    .defaults();
        } catch (IllegalArgumentException | ConfigException e) {
            return java.util.Map.of(); // an unknown or mistyped preset is reported by ModelSettings
        }
    }

    /** Builds the settings from the resolved tree (user, preset defaults and reference merged). */
    static PacerSettings from(Config all) {
        Config p = all.getConfig("pacer");
        DataSettings data;
        try {
            data = DataSettings.from(p.getConfig("data"));
        } catch (IllegalArgumentException e) {
            throw new ConfigError(e.getMessage());
        }
        ModelSettings model = ModelSettings.from(p);
        TrainSettings train = TrainSettings.from(p);
        GptConfig gpt = model.preset().config(ByteTokenizer.VOCAB);
        if (train.seqLen() > gpt.context()) {
            throw new ConfigError("pacer.train.seq-len = " + train.seqLen() + ": the "
                    + model.preset().id() + " model's context is " + gpt.context() + "; use a seq-len <= "
                    + gpt.context());
        }
        HiDlrSettings hidlr = HiDlrSettings.from(p);
        // group names depend on the model's depth, not its vocabulary
        hidlr.checkGroups(ParameterGroups.of(new ParameterLayout(gpt), hidlr.grouping()));
        int partitions = (int) Check.inRange("pacer.spark.partitions", p.getInt("spark.partitions"), 1, 100_000);
        if (partitions > train.globalBatch()) {
            throw new ConfigError("pacer.spark.partitions = " + partitions + " exceeds pacer.train.global-batch = "
                    + train.globalBatch() + ": every partition needs at least one sequence per step;"
                    + " lower the partitions or raise the global batch");
        }
        int threads = (int) Check.inRange("pacer.spark.task-threads", p.getInt("spark.task-threads"), 0, 1024);
        String runDir = p.getString("run.dir").trim();
        if (runDir.isEmpty()) {
            throw new ConfigError("pacer.run.dir is empty: give a directory (local path or hdfs://, s3a:// URI)");
        }
        RunLease.timeout(p); // checked here, before any work; read again by leaseTimeout()
        DeviceChoice.Setting device = DeviceChoice.Setting.parse(p.getString("engine.device"));
        Compute compute = Compute.parse("pacer.engine.compute", p.getString("engine.compute"));
        Update update = Update.parse(p.getString("spark.update"));
        Precision precision = Precision.parse("pacer.train.precision", p.getString("train.precision"));
        Precision encoding = Precision.parse("pacer.spark.gradient-encoding", p.getString("spark.gradient-encoding"));
        Precision weightEncoding = Precision.parse("pacer.spark.weight-encoding", p.getString("spark.weight-encoding"));
        if (weightEncoding == Precision.BF16 && update != Update.SHARDED) {
            throw new ConfigError("pacer.spark.weight-encoding = bf16 applies to pacer.spark.update = sharded (weights"
                    + " moving between executors); set update = sharded, or weight-encoding = fp32");
        }
        if (weightEncoding == Precision.BF16 && precision != Precision.BF16) {
            throw new ConfigError(
                    "pacer.spark.weight-encoding = bf16 needs pacer.train.precision = bf16: weights travel"
                            + " in bf16 only where the replica computes with their bf16 copies; set both to bf16, or"
                            + " weight-encoding = fp32");
        }
        Map<String, String> sparkConf = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigValue> e : p.getConfig("spark.conf").entrySet()) {
            sparkConf.put(
                    e.getKey().replace("\"", ""), String.valueOf(e.getValue().unwrapped()));
        }
        CpuKernels kernels = CpuKernels.parse(p.getString("engine.cpu-kernels"));
        if (kernels == CpuKernels.AVX2 && precision == Precision.BF16) {
            // measured: 35.1 s a step against 0.92 s native on the small preset (docs/determinism.md)
            throw new ConfigError(CpuKernels.KEY + " = avx2 with pacer.train.precision = bf16: the AVX2 pin takes away"
                    + " the CPU's bf16 instructions, so bf16 would be emulated (about 38 times slower here); use"
                    + " precision = fp32 with the pin, or cpu-kernels = native with bf16");
        }
        // executors read the kernel choice from their environment when libtorch loads
        kernels.environment().forEach((k, v) -> sparkConf.putIfAbsent("spark.executorEnv." + k, v));
        return new PacerSettings(
                all,
                p.getLong("seed"),
                model,
                train,
                OptimizerSettings.from(p),
                CheckpointSettings.from(p),
                AdaLrsSettings.from(p),
                hidlr,
                data,
                runDir,
                p.getString("run.init-from").trim(),
                p.getString("spark.master").trim(),
                partitions,
                threads,
                device,
                compute,
                update,
                precision,
                encoding,
                weightEncoding,
                p.getBoolean("spark.fused-step"),
                sparkConf,
                Check.positive("pacer.progress.log-interval-seconds", p.getLong("progress.log-interval-seconds")));
    }

    /**
     * A Spark configuration named {@code appName} with the user's {@code pacer.spark.conf} and
     * master ({@code pacer.spark.master}, else the one spark-submit passed, else local[2]).
     */
    public org.apache.spark.SparkConf sparkConf(String appName) {
        org.apache.spark.SparkConf conf = new org.apache.spark.SparkConf().setAppName(appName);
        for (Map.Entry<String, String> e : sparkConf.entrySet()) {
            conf.set(e.getKey(), e.getValue());
        }
        if (!master.isEmpty()) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[2]");
        }
        return conf;
    }

    /** {@code pacer.engine.cpu-kernels}: the kernels libtorch runs on the CPU (docs/determinism.md). */
    public CpuKernels cpuKernels() {
        return CpuKernels.parse(resolved.getString(CpuKernels.KEY));
    }

    /** {@code pacer.run.lease-timeout-seconds}: how long a run directory's lease outlives its last heartbeat. */
    public java.time.Duration leaseTimeout() {
        return RunLease.timeout(resolved.getConfig("pacer"));
    }

    /** The model with the byte tokenizer's vocabulary (257). */
    public GptConfig gptConfig() {
        return model.preset().config(ByteTokenizer.VOCAB);
    }

    /** The model for data of {@code vocab} token ids (a prepared dataset's manifest says how many). */
    public GptConfig gptConfig(int vocab) {
        return model.preset().config(vocab);
    }

    /** The resolved {@code pacer} tree as JSON, for provenance. */
    public String renderJson() {
        return resolved.getConfig("pacer").root().render(ConfigRenderOptions.concise());
    }

    /**
     * SHA-256 of the resolved settings that shape the training trajectory (not where it runs:
     * run directory, progress, Spark master and settings, engine device).
     */
    public String digest() {
        Config shaping = resolved.getConfig("pacer")
                .withoutPath("run")
                .withoutPath("progress")
                .withoutPath("spark.master")
                .withoutPath("spark.conf")
                .withoutPath("engine");
        // keys added after runs existed: at fp32, the behaviour before them, they leave the digest
        // as it was, so resuming an older run does not warn of changed settings
        for (String key : List.of("train.precision", "spark.gradient-encoding", "spark.weight-encoding")) {
            if (shaping.getString(key).equals(Precision.FP32.id())) {
                shaping = shaping.withoutPath(key);
            }
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256")
                    .digest(shaping.root().render(ConfigRenderOptions.concise()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
