package dev.pacer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import dev.pacer.adalrs.AdaLrsSettings;
import dev.pacer.config.ConfigChoice;
import dev.pacer.config.OptimizerSettings;
import dev.pacer.engine.Compute;
import dev.pacer.engine.CpuKernels;
import dev.pacer.engine.DeviceChoice;
import dev.pacer.engine.Precision;
import dev.pacer.hidlr.HiDlrSettings;
import dev.pacer.hidlr.ParameterGroups;
import dev.pacer.model.ModelPreset;
import dev.pacer.optim.OptimizerSpec;
import dev.pacer.optim.Optimizers;
import dev.pacer.schedule.ScheduleKind;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The declaration of the settings is complete: every key under {@code pacer} in every module's
 * reference.conf is read by some settings record when a run's settings are built (keys under an
 * object the reference declares empty, such as {@code pacer.spark.conf}, are free-form and read as a
 * whole), and every value of a setting that is one of a set is named in the reference.conf comment
 * of its key. A key or value added in one place only fails here.
 */
class ReferenceConfTest {

    private static final Config REFERENCE = ConfigFactory.defaultReference();

    @Test
    void everyReferenceKeyIsReadBySomeSettingsRecord() {
        assertEquals(List.of(), unreadKeys(REFERENCE.resolve()));
    }

    @Test
    void aKeyNoSettingsRecordReadsIsReported() {
        Config extra = ConfigFactory.parseString("pacer.train.forgotten-key = 1, pacer.adalrs.forgotten { a = 1 }")
                .withFallback(REFERENCE)
                .resolve();
        assertEquals(List.of("pacer.adalrs.forgotten.a", "pacer.train.forgotten-key"), unreadKeys(extra));
    }

    /** The leaf keys under {@code pacer} that building the settings from {@code resolved} leaves unread. */
    private static List<String> unreadKeys(Config resolved) {
        Set<String> read = new TreeSet<>();
        PacerSettings s = PacerSettings.from(ReadRecorder.wrap(resolved, "", read));
        s.leaseTimeout();
        s.cpuKernels();
        List<String> unread = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> e : resolved.getConfig("pacer").entrySet()) {
            String key = "pacer." + e.getKey();
            if (read.stream().noneMatch(r -> key.equals(r) || key.startsWith(r + "."))) {
                unread.add(key);
            }
        }
        return unread;
    }

    @Test
    void everyChoiceIsNamedInTheCommentOfItsKey() {
        Map<String, List<String>> choices = new LinkedHashMap<>();
        choices.put("pacer.train.schedule", ids(ScheduleKind.class));
        choices.put("pacer.adalrs.trend", ids(AdaLrsSettings.Trend.class));
        choices.put("pacer.adalrs.comparison", ids(AdaLrsSettings.Comparison.class));
        choices.put("pacer.hidlr.mode", ids(HiDlrSettings.Mode.class));
        choices.put("pacer.hidlr.freeze.rule", ids(HiDlrSettings.Freeze.Rule.class));
        choices.put("pacer.hidlr.grouping", ids(ParameterGroups.Strategy.class));
        choices.put(
                "pacer.optimizer.name",
                Optimizers.REGISTERED.stream().map(OptimizerSpec::id).toList());
        choices.put("pacer.optimizer.no-decay", OptimizerSettings.NO_DECAY_KINDS);
        choices.put(
                "pacer.model.preset",
                Arrays.stream(ModelPreset.values()).map(ModelPreset::id).toList());
        for (String key :
                List.of("pacer.train.precision", "pacer.spark.gradient-encoding", "pacer.spark.weight-encoding")) {
            choices.put(
                    key, Arrays.stream(Precision.values()).map(Precision::id).toList());
        }
        choices.put(
                "pacer.engine.compute",
                Arrays.stream(Compute.values()).map(Compute::id).toList());
        choices.put(
                "pacer.engine.cpu-kernels",
                Arrays.stream(CpuKernels.values()).map(CpuKernels::id).toList());
        choices.put("pacer.engine.device", lowerCaseNames(DeviceChoice.Setting.values()));
        choices.put("pacer.spark.update", lowerCaseNames(PacerSettings.Update.values()));
        List<String> undocumented = new ArrayList<>();
        for (Map.Entry<String, List<String>> c : choices.entrySet()) {
            String comment = comment(c.getKey());
            for (String id : c.getValue()) {
                if (!names(comment, id)) {
                    undocumented.add(c.getKey() + " = " + id);
                }
            }
        }
        assertEquals(List.of(), undocumented, "values missing from their key's reference.conf comment");
        // the match is by whole word: a value that is only part of another does not count
        assertTrue(names(comment("pacer.optimizer.name"), "sgd"));
        assertFalse(names("sgd-sai, schedule-free-adamw", "sgd"));
        assertFalse(names(comment("pacer.optimizer.name"), "adam"));
        assertFalse(names(comment("pacer.train.schedule"), "linear"));
    }

    private static <E extends Enum<E> & ConfigChoice> List<String> ids(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(ConfigChoice::id).toList();
    }

    private static List<String> lowerCaseNames(Enum<?>[] values) {
        return Stream.of(values).map(v -> v.name().toLowerCase(Locale.ROOT)).toList();
    }

    /** The comment lines above {@code key} in its reference.conf, joined. */
    private static String comment(String key) {
        return String.join(" ", REFERENCE.getValue(key).origin().comments());
    }

    private static boolean names(String comment, String id) {
        return Pattern.compile("(?<![A-Za-z0-9-])" + Pattern.quote(id) + "(?![A-Za-z0-9-])")
                .matcher(comment)
                .find();
    }

    /**
     * A {@link Config} that records the full path of every value read through it: a getter of a
     * value marks that path, {@code entrySet()} or {@code root()} the whole object, {@code
     * getConfig} only navigates.
     */
    private record ReadRecorder(Config target, String prefix, Set<String> read) implements InvocationHandler {

        static Config wrap(Config target, String prefix, Set<String> read) {
            return (Config) Proxy.newProxyInstance(
                    Config.class.getClassLoader(),
                    new Class<?>[] {Config.class},
                    new ReadRecorder(target, prefix, read));
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            boolean getter = name.startsWith("get") && args != null && args.length >= 1 && args[0] instanceof String;
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            String path = getter ? prefix + args[0] : prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1);
            if (result instanceof Config c) {
                return wrap(c, getter ? path + "." : prefix, read);
            }
            if (getter || name.equals("entrySet") || name.equals("root")) {
                read.add(path);
            }
            return result;
        }
    }
}
