package dev.pacer.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * Seeded inputs for fuzz tests: random bytes, byte-level mutations of a valid file (bit flips,
 * boundary bytes, little-endian boundary integers where length fields sit, insertions,
 * deletions, cuts, repeated chunks), and, for JSON, mutations of the parsed tree (a value
 * replaced by a hostile one: huge, negative, fractional, of another type; a field dropped or
 * added), so that inputs also get past the parser into the checks behind it.
 */
public final class Mutator {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final byte[] BOUNDARY_BYTES = {0, -1, 0x7F, (byte) 0x80, '\n', '\r', '"', '{', '}', '[', ',', ':'};
    private static final long[] BOUNDARY_LONGS = {
        0,
        1,
        -1,
        7,
        8,
        255,
        65_535,
        65_536,
        Integer.MAX_VALUE,
        1L << 31,
        1L << 32,
        1L << 40,
        Long.MAX_VALUE,
        Long.MIN_VALUE
    };

    private final Random random;

    public Mutator(Random random) {
        this.random = random;
    }

    public Random random() {
        return random;
    }

    /** Random bytes, mostly short, up to {@code maxLength}. */
    public byte[] randomBytes(int maxLength) {
        int n = random.nextInt(4) == 0 ? random.nextInt(maxLength + 1) : random.nextInt(Math.min(maxLength, 64) + 1);
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** One to four byte-level mutations of {@code seed}. */
    public byte[] mutate(byte[] seed) {
        byte[] b = seed.clone();
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) {
            b = mutateOnce(b);
        }
        return b;
    }

    private byte[] mutateOnce(byte[] b) {
        if (b.length == 0) {
            return randomBytes(16);
        }
        int at = random.nextInt(b.length);
        switch (random.nextInt(9)) {
            case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
            case 1 -> b[at] = (byte) random.nextInt(256);
            case 2 -> b[at] = BOUNDARY_BYTES[random.nextInt(BOUNDARY_BYTES.length)];
            case 3 -> {
                byte[] ins = new byte[1 + random.nextInt(16)];
                random.nextBytes(ins);
                return splice(b, at, 0, ins);
            }
            case 4 -> {
                return splice(b, at, 1 + random.nextInt(Math.min(64, b.length - at)), new byte[0]);
            }
            case 5 -> {
                return Arrays.copyOf(b, at);
            }
            case 6 -> {
                int len = 1 + random.nextInt(Math.min(256, b.length - at));
                return splice(b, random.nextInt(b.length), 0, Arrays.copyOfRange(b, at, at + len));
            }
            case 7 -> {
                // a boundary integer where a length or offset field may sit (aligned or not)
                int width = random.nextBoolean() ? 8 : 4;
                if (b.length >= width) {
                    int pos = random.nextInt(3) == 0 ? 0 : random.nextInt(b.length - width + 1);
                    long v = BOUNDARY_LONGS[random.nextInt(BOUNDARY_LONGS.length)];
                    ByteBuffer buf = ByteBuffer.wrap(b, pos, width).order(ByteOrder.LITTLE_ENDIAN);
                    if (width == 8) {
                        buf.putLong(v);
                    } else {
                        buf.putInt((int) v);
                    }
                }
            }
            default -> {
                byte[] tail = new byte[1 + random.nextInt(32)];
                random.nextBytes(tail);
                return splice(b, b.length, 0, tail);
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }

    /** One to three mutations of the parsed JSON tree; bytes that do not parse get byte mutations. */
    public byte[] mutateJson(byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            return mutate(json);
        }
        if (root == null || !root.isContainerNode()) {
            return mutate(json);
        }
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            mutateTree(root);
        }
        try {
            return random.nextBoolean()
                    ? JSON.writeValueAsBytes(root)
                    : JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void mutateTree(JsonNode root) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode c = containers.get(random.nextInt(containers.size()));
        if (c instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            int op = random.nextInt(4);
            if (names.isEmpty() || op == 3) {
                o.set(names.isEmpty() || random.nextBoolean() ? randomString() : names.get(0) + "_", value(2));
            } else if (op == 2) {
                o.remove(names.get(random.nextInt(names.size())));
            } else {
                o.set(names.get(random.nextInt(names.size())), value(2));
            }
        } else if (c instanceof ArrayNode a) {
            int op = random.nextInt(4);
            if (a.isEmpty() || op == 3) {
                a.add(value(2));
            } else if (op == 2) {
                a.remove(random.nextInt(a.size()));
            } else {
                a.set(random.nextInt(a.size()), value(2));
            }
        }
    }

    private static void collect(JsonNode n, List<JsonNode> out) {
        if (n.isContainerNode()) {
            out.add(n);
            for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
                collect(it.next(), out);
            }
        }
    }

    /** A hostile JSON value: a boundary number, an odd string, another type, or a small container. */
    private JsonNode value(int depth) {
        switch (random.nextInt(depth > 0 ? 10 : 8)) {
            case 0:
                return NODES.numberNode(BOUNDARY_LONGS[random.nextInt(BOUNDARY_LONGS.length)]);
            case 1:
                return NODES.numberNode(-1 - random.nextInt(1000));
            case 2:
                return NODES.numberNode(random.nextBoolean() ? 1e300 : 0.5);
            case 3:
                return NODES.numberNode(new java.math.BigInteger("123456789012345678901234567890"));
            case 4:
                return NODES.textNode(randomString());
            case 5:
                return NODES.booleanNode(random.nextBoolean());
            case 6:
                return NODES.nullNode();
            case 7:
                return NODES.numberNode(random.nextInt(300));
            case 8: {
                ArrayNode a = NODES.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    a.add(value(depth - 1));
                }
                return a;
            }
            default: {
                ObjectNode o = NODES.objectNode();
                for (int i = random.nextInt(3); i > 0; i--) {
                    o.set(randomString(), value(depth - 1));
                }
                return o;
            }
        }
    }

    private String randomString() {
        String[] odd = {"", " ", "../x", "/abs", "a\nb", "\u0000", "\uFFFD", "<|endoftext|>", "F16", "x".repeat(300)};
        if (random.nextBoolean()) {
            return odd[random.nextInt(odd.length)];
        }
        StringBuilder s = new StringBuilder();
        for (int i = random.nextInt(12); i > 0; i--) {
            s.append((char) (0x20 + random.nextInt(0x5F)));
        }
        return s.toString();
    }
}
