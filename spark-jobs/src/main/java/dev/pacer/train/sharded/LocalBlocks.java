package dev.pacer.train.sharded;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** {@link BlockTransport} inside one JVM, for the sharded update without Spark (tests, the in-memory runner). */
final class LocalBlocks implements BlockTransport {

    static final LocalBlocks INSTANCE = new LocalBlocks();

    private final Map<String, List<ByteBuffer>> blocks = new ConcurrentHashMap<>();

    private LocalBlocks() {}

    @Override
    public void put(String name, List<ByteBuffer> chunks) {
        blocks.put(name, List.copyOf(chunks));
    }

    @Override
    public <T> T read(String name, Function<List<ByteBuffer>, T> reader) {
        List<ByteBuffer> b = blocks.get(name);
        if (b == null) {
            throw new MissingBlockException(name);
        }
        return reader.apply(b.stream().map(ByteBuffer::asReadOnlyBuffer).toList());
    }

    @Override
    public void remove(String name) {
        blocks.remove(name);
    }

    /** Blocks held now (tests check nothing is left behind). */
    int size() {
        return blocks.size();
    }
}
