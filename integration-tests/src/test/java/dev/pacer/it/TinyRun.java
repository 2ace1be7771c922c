package dev.pacer.it;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Command lines for end-to-end runs of the tiny preset on local[2], bound to loopback. */
final class TinyRun {

    private TinyRun() {}

    static String[] pretrain(Path runDir, String... extra) {
        List<String> args = new ArrayList<>(List.of("pretrain", "--run-dir", runDir.toString(),
                "--master", "local[2]",
                "--set", "pacer.model.preset=tiny",
                "--set", "pacer.train.seq-len=32",
                "--set", "pacer.train.global-batch=4",
                "--set", "pacer.train.micro-batch=2",
                "--set", "pacer.train.eval-every=3",
                "--set", "pacer.train.eval-sequences=8",
                "--set", "pacer.checkpoint.every=3",
                "--set", "pacer.data.max-documents=3000",
                "--set", "pacer.spark.partitions=2",
                "--set", "pacer.spark.conf.spark.ui.enabled=false",
                "--set", "pacer.spark.conf.spark.driver.host=127.0.0.1",
                "--set", "pacer.spark.conf.spark.driver.bindAddress=127.0.0.1"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }
}
