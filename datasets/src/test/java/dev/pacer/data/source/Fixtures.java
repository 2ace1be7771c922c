package dev.pacer.data.source;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/** Small corpora written by the tests themselves. */
public final class Fixtures {

    private Fixtures() {}

    /**
     * A Hugging Face {@code save_to_disk} directory as datasets writes it: {@code state.json}
     * listing {@code data-XXXXX-of-YYYYY.arrow} files, each an Arrow IPC stream with an
     * {@code id} and a {@code text} column (null entries allowed), in batches of two rows.
     */
    public static Path huggingFaceDataset(Path dir, List<List<String>> files) throws IOException {
        Files.createDirectories(dir);
        List<String> names = new ArrayList<>();
        long id = 0;
        for (int f = 0; f < files.size(); f++) {
            String name = String.format("data-%05d-of-%05d.arrow", f, files.size());
            names.add(name);
            try (OutputStream out = Files.newOutputStream(dir.resolve(name))) {
                writeStream(out, files.get(f), id);
            }
            id += files.get(f).size();
        }
        StringBuilder state = new StringBuilder("{\n  \"_data_files\": [");
        for (int i = 0; i < names.size(); i++) {
            state.append(i == 0 ? "" : ", ")
                    .append("{\"filename\": \"")
                    .append(names.get(i))
                    .append("\"}");
        }
        state.append("],\n  \"_fingerprint\": \"0123456789abcdef\",\n  \"_format_columns\": null,\n"
                + "  \"_format_kwargs\": {},\n  \"_format_type\": null,\n  \"_output_all_columns\": false,\n"
                + "  \"_split\": \"train\"\n}\n");
        Files.writeString(dir.resolve("state.json"), state.toString());
        Files.writeString(
                dir.resolve("dataset_info.json"),
                "{\"citation\": \"\", \"description\": \"test\","
                        + " \"features\": {\"id\": {\"dtype\": \"int64\", \"_type\": \"Value\"},"
                        + " \"text\": {\"dtype\": \"string\", \"_type\": \"Value\"}}}\n");
        return dir;
    }

    private static void writeStream(OutputStream out, List<String> texts, long firstId) throws IOException {
        Schema schema = new Schema(List.of(
                new Field("id", FieldType.nullable(new ArrowType.Int(64, true)), null),
                new Field("text", FieldType.nullable(new ArrowType.Utf8()), null)));
        try (BufferAllocator allocator = new RootAllocator();
                VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
                ArrowStreamWriter writer = new ArrowStreamWriter(root, null, out)) {
            writer.start();
            for (int start = 0; start < texts.size(); start += 2) {
                int n = Math.min(2, texts.size() - start);
                BigIntVector ids = (BigIntVector) root.getVector("id");
                VarCharVector text = (VarCharVector) root.getVector("text");
                ids.allocateNew(n);
                text.allocateNew(n);
                for (int i = 0; i < n; i++) {
                    ids.set(i, firstId + start + i);
                    String t = texts.get(start + i);
                    if (t == null) {
                        text.setNull(i);
                    } else {
                        text.setSafe(i, t.getBytes(StandardCharsets.UTF_8));
                    }
                }
                ids.setValueCount(n);
                text.setValueCount(n);
                root.setRowCount(n);
                writer.writeBatch();
            }
            writer.end();
        }
    }
}
