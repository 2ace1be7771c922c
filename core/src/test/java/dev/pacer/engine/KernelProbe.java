package dev.pacer.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

/**
 * A child JVM of {@link CpuKernelsTest}: pins the kernels (or not, or only after libtorch has
 * loaded), computes a matrix product, a softmax and a layer normalisation on fixed inputs, and
 * prints the SHA-256 of their bits, then the pin's warning if it gave one.
 */
public final class KernelProbe {

    private KernelProbe() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String warning = "";
        if (mode.equals("late")) {
            Engine.getEngine("PyTorch");
        }
        if (!mode.equals("none")) {
            warning = CpuKernels.AVX2.pinThisProcess().orElse("");
        }
        System.setProperty("ai.djl.pytorch.num_threads", "1");
        Engine.getEngine("PyTorch");
        try (NDManager m = NDManager.newBaseManager()) {
            Random r = new Random(7);
            float[] x = new float[128 * 256];
            float[] w = new float[256 * 256];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (r.nextGaussian() * 0.05);
            }
            NDArray h = m.create(x, new Shape(128, 256)).matMul(m.create(w, new Shape(256, 256)));
            NDArray soft = h.softmax(-1);
            NDArray centred = h.sub(h.mean(new int[] {1}, true));
            NDArray norm = centred.div(
                    centred.pow(2).mean(new int[] {1}, true).add(1e-5f).sqrt());
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (NDArray t : new NDArray[] {h, soft, norm}) {
                ByteBuffer b = ByteBuffer.allocate((int) t.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(t.toFloatArray());
                sha.update(b.array());
            }
            System.out.println(HexFormat.of().formatHex(sha.digest()));
        }
        System.out.println(warning);
    }
}
