package dev.pacer.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A TorchScript module compiled by libtorch from source held in this JVM, and called through
 * DJL. It reaches what DJL 0.35.1's JNI does not expose: casts to bfloat16 (DJL's dtype mapping
 * stops at float16 and aborts the process on anything else), the fused scaled-dot-product
 * attention, and linear layers with the bias fused into the product.
 *
 * <p>The archive is written here, not shipped: one class without parameters or attributes but
 * {@code training}, whose methods are {@code methods} (serialized TorchScript, i.e. calls of
 * {@code torch.*} builtins). Methods run under the calling thread's grad mode, so autograd
 * records each operation as in eager mode; the graph executor's optimizations are switched off
 * on the calling thread, because its profiled and fused plans (from the second call on) could
 * compute other bits than the first call, and a resumed run must repeat an uninterrupted one.
 */
final class TorchScript implements AutoCloseable {

    /** The newest archive format libtorch 2.7 reads; no operator upgraders apply to it. */
    private static final String FORMAT_VERSION = "10";

    private static final Pattern METHOD = Pattern.compile("(?m)^  def (\\w+)\\(");

    private final PtSymbolBlock module;
    /** Per method, the array whose name tells DJL which method to run (never passed on). */
    private final Map<String, NDArray> methodTags = new HashMap<>();

    private TorchScript(PtSymbolBlock module, NDManager manager, String methods) {
        this.module = module;
        // made here, outside any caller's NDScope, so they live as long as the module
        Matcher m = METHOD.matcher(methods);
        while (m.find()) {
            NDArray tag = manager.create(0f);
            tag.setName("module_method:" + m.group(1));
            methodTags.put(m.group(1), tag);
        }
    }

    /** Compiles class {@code className} with {@code methods} (indented by two spaces) on {@code manager}'s device. */
    static TorchScript compile(NDManager manager, String className, String methods) {
        String source = "class " + className + "(Module):\n"
                + "  __parameters__ = []\n"
                + "  __buffers__ = []\n"
                + "  training : bool\n"
                + methods;
        try {
            byte[] archive = archive(className, source);
            PtSymbolBlock block =
                    JniUtils.loadModule((PtNDManager) manager, new ByteArrayInputStream(archive), true, false);
            return new TorchScript(block, manager, methods);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs {@code method} on {@code inputs}: each array is one argument, except arrays named
     * {@code "<name>[]"}, which form one {@code List[Tensor]} argument in their order. The result
     * lives in the first input's manager.
     */
    NDArray call(String method, List<NDArray> inputs) {
        return callForList(method, inputs).singletonOrThrow();
    }

    /** As {@link #call}, for a method that returns a list (or tuple) of tensors. */
    NDList callForList(String method, List<NDArray> inputs) {
        NDList args = new NDList(inputs.size() + 1);
        args.addAll(inputs);
        NDArray tag = methodTags.get(method);
        if (tag == null) {
            throw new IllegalArgumentException("no method " + method + " in " + methodTags.keySet());
        }
        args.add(tag);
        JniUtils.setGraphExecutorOptimize(false);
        return IValueUtils.forward(module, args, true);
    }

    @Override
    public void close() {
        module.close();
    }

    /** The zip layout torch.jit.save writes: pickled module object, code, constants, version. */
    private static byte[] archive(String className, String source) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            String root = "pacer/";
            stored(zip, root + "data.pkl", moduleObjectPickle(className));
            stored(zip, root + "code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
            // pickle protocol 2 of an empty tuple
            stored(zip, root + "constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            stored(zip, root + "version", (FORMAT_VERSION + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        return bytes.toByteArray();
    }

    /**
     * Pickle protocol 2 of {@code __torch__.<className>} built from the state {training: False}:
     * PROTO 2, GLOBAL, EMPTY_TUPLE, NEWOBJ, EMPTY_DICT, BINUNICODE "training", NEWFALSE, SETITEM,
     * BUILD, STOP.
     */
    private static byte[] moduleObjectPickle(String className) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80);
        p.write(2);
        p.writeBytes(("c__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII));
        p.writeBytes(new byte[] {')', (byte) 0x81, '}', 'X', 8, 0, 0, 0});
        p.writeBytes("training".getBytes(StandardCharsets.US_ASCII));
        p.writeBytes(new byte[] {(byte) 0x89, 's', 'b', '.'});
        return p.toByteArray();
    }

    /** Entries are stored uncompressed, as torch.jit.save writes them. */
    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }
}
