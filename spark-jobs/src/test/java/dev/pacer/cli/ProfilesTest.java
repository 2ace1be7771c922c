package dev.pacer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.pacer.run.PacerSettings;
import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every profile in conf/ loads through the path the CLI takes ({@code --profile NAME}: parse,
 * unknown-key check, validation), so a typo in a shipped profile fails the build, not a night.
 */
class ProfilesTest {

    private static String previousHome;
    private static final File CONF = new File(System.getProperty("user.dir"))
            .getParentFile()
            .toPath()
            .resolve("conf")
            .toFile();

    @BeforeAll
    static void pointAtTheRepository() {
        previousHome = System.getProperty("pacer.home");
        System.setProperty("pacer.home", CONF.getParent());
    }

    @AfterAll
    static void restore() {
        if (previousHome == null) {
            System.clearProperty("pacer.home");
        } else {
            System.setProperty("pacer.home", previousHome);
        }
    }

    private static PacerSettings profile(String name) {
        ConfigOptions options = new ConfigOptions();
        options.profile = name;
        return options.settings(ConfigFactory.empty());
    }

    private static Map<String, PacerSettings> all() {
        String[] names = CONF.list((dir, n) -> n.endsWith(".conf"));
        assertTrue(names != null && names.length >= 4, "profiles in " + CONF);
        Map<String, PacerSettings> out = new TreeMap<>();
        for (String n : names) {
            String name = n.substring(0, n.length() - ".conf".length());
            out.put(name, profile(name));
        }
        return out;
    }

    @Test
    void everyProfileIsAccepted() {
        assertEquals(List.of("kubernetes", "local", "nightly", "yarn"), List.copyOf(all().keySet()));
    }

    @Test
    void clusterProfilesTakeTheMasterFromSparkSubmitAndFillOneWaveOfTasks() {
        for (String name : List.of("yarn", "kubernetes", "nightly")) {
            PacerSettings s = profile(name);
            assertEquals("", s.master(), name);
            Map<String, String> conf = s.sparkConf();
            int slots = Integer.parseInt(conf.get("spark.executor.instances"))
                    * (Integer.parseInt(conf.get("spark.executor.cores"))
                            / Integer.parseInt(conf.get("spark.task.cpus")));
            assertEquals(slots, s.partitions(), name + ": partitions = concurrent task slots");
            assertTrue(conf.containsKey("spark.executor.memoryOverhead"), name + ": libtorch memory outside the heap");
            assertTrue(conf.containsKey("spark.executorEnv.DJL_CACHE_DIR"), name);
            assertFalse(s.runDir().startsWith("runs/"), name + " writes to a shared file system: " + s.runDir());
        }
        assertTrue(profile("kubernetes").sparkConf().containsKey("spark.kubernetes.container.image"));
    }

    @Test
    void nightlyExtendsYarnWithItsOwnRunAndCadence() {
        PacerSettings night = profile("nightly");
        PacerSettings yarn = profile("yarn");
        assertEquals(yarn.sparkConf(), night.sparkConf());
        assertTrue(night.runDir().endsWith("/pacer/runs/nightly"), night.runDir());
        assertEquals(20000, night.train().maxSteps());
        assertEquals(100, night.checkpoint().every());
        assertEquals(5, night.checkpoint().keep());
        assertEquals(60, night.progressLogSeconds());
    }

    @Test
    void localProfileStaysOnLoopback() {
        PacerSettings s = profile("local");
        assertEquals("local[2]", s.master());
        assertEquals("127.0.0.1", s.sparkConf().get("spark.driver.bindAddress"));
        assertTrue(Arrays.asList(CONF.list()).contains("log4j2.properties"));
    }
}
