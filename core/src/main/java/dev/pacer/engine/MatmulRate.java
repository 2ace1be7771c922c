package dev.pacer.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * How fast this JVM's libtorch multiplies matrices of given shapes in fp32 or bf16: the ceiling
 * Pacer's replicas work under (bench/matmul-peaks.py measures another library's). Uses the
 * calling thread's libtorch thread count.
 */
public final class MatmulRate implements AutoCloseable {

    private static final String SOURCE = """
              def cast(self: __torch__.Rate, a: Tensor, scalar_type: Tensor) -> Tensor:
                return torch.to(a, int(torch.item(scalar_type)))
              def repeat(self: __torch__.Rate, a: Tensor, b: Tensor, times: Tensor) -> Tensor:
                c = torch.matmul(a, b)
                for i in range(int(torch.item(times)) - 1):
                  c = torch.matmul(a, b)
                return c
            """;

    private final NDManager manager;
    private final TorchScript script;

    public MatmulRate() {
        this.manager = NDManager.newBaseManager();
        this.script = TorchScript.compile(manager, "Rate", SOURCE);
    }

    /**
     * GFLOP/s of {@code batch} products of (m x k) by (k x n) in {@code precision}: the best of
     * {@code repeats} timings, each of enough products for about a GFLOP.
     */
    public double gflops(int batch, int m, int k, int n, Precision precision, int repeats) {
        try (NDManager sub = manager.newSubManager()) {
            Shape left = batch > 1 ? new Shape(batch, m, k) : new Shape(m, k);
            Shape right = batch > 1 ? new Shape(batch, k, n) : new Shape(k, n);
            NDArray a = cast(sub.randomNormal(left), precision);
            NDArray b = cast(sub.randomNormal(right), precision);
            double flops = 2.0 * batch * m * k * n;
            long times = Math.max(1, Math.round(1e9 / flops));
            NDArray count = sub.create(times);
            run(a, b, sub.create(2L)); // warm-up
            long best = Long.MAX_VALUE;
            for (int r = 0; r < repeats; r++) {
                long t0 = System.nanoTime();
                run(a, b, count);
                best = Math.min(best, System.nanoTime() - t0);
            }
            return flops * times / best;
        }
    }

    private NDArray cast(NDArray a, Precision precision) {
        return script.call("cast", List.of(a, a.getManager().create(precision.scalarType())));
    }

    private void run(NDArray a, NDArray b, NDArray times) {
        script.call("repeat", List.of(a, b, times)).close();
    }

    @Override
    public void close() {
        script.close();
        manager.close();
    }
}
