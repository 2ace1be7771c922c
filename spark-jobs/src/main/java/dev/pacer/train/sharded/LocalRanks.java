package dev.pacer.train.sharded;

import dev.pacer.data.CorpusPartition;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** {@link Ranks} in this JVM, without Spark: every rank's task in turn, on in-memory data. */
public final class LocalRanks implements Ranks {

    private final List<CorpusPartition> data;

    public LocalRanks(List<CorpusPartition> data) {
        this.data = List.copyOf(data);
    }

    @Override
    public <R extends Serializable> List<R> run(String label, Task<R> task) {
        List<R> out = new ArrayList<>();
        for (int p = 0; p < data.size(); p++) {
            out.add(task.run(p, data.get(p)));
        }
        return out;
    }

    @Override
    public int count() {
        return data.size();
    }
}
