package dev.pacer.optim;

import java.util.Objects;

/**
 * Gradient clipping by global L2 norm, with the rule of {@code torch.nn.utils.clip_grad_norm_}.
 *
 * <p>The squared norm is summed per tensor (each tensor's squares in index order, in double), then
 * over tensors in layout order. That order can be reproduced piece by piece: executors that each
 * hold some tensors' gradients send their per-tensor sums, the driver adds them in tensor order
 * ({@link #norm}) and sends back the coefficient ({@link #coefficient}); the result is bit for bit
 * the one of {@link #clipByGlobalNorm} on the whole vector.
 */
public final class GradientClipper {

    /** Added to the norm in the clipping coefficient, as in PyTorch. */
    public static final double NORM_EPS = 1e-6;

    private GradientClipper() {}

    /**
     * Computes the global L2 norm of {@code grads} and, if clipping is enabled and
     * {@code maxNorm / (norm + 1e-6) < 1}, multiplies every gradient in place by that coefficient.
     *
     * <p>Clipping is disabled when {@code maxNorm} is {@code <= 0}, infinite or NaN; the norm is still
     * computed and returned. When the norm is not finite (a NaN or infinite gradient), the gradients are left
     * untouched and the non-finite norm is returned so that the caller can decide (e.g. skip the step).
     *
     * @param tensorEnds the exclusive end of each tensor in {@code grads}, ascending, the last equal
     *     to its length (a single tensor: {@code {grads.length}})
     * @return the global L2 norm before clipping
     */
    public static double clipByGlobalNorm(float[] grads, int[] tensorEnds, double maxNorm) {
        Objects.requireNonNull(grads, "grads");
        double[] squares = new double[tensorEnds.length];
        int from = 0;
        for (int t = 0; t < tensorEnds.length; t++) {
            squares[t] = sumOfSquares(grads, from, tensorEnds[t]);
            from = tensorEnds[t];
        }
        if (from != grads.length) {
            throw new IllegalArgumentException("tensors end at " + from + ", gradients hold " + grads.length);
        }
        double norm = norm(squares);
        double coef = coefficient(norm, maxNorm);
        if (coef < 1.0) {
            scale(grads, 0, grads.length, coef);
        }
        return norm;
    }

    /** One tensor's share of the squared norm: {@code grads[from, to)}'s squares summed in order. */
    public static double sumOfSquares(float[] grads, int from, int to) {
        double sumSq = 0.0;
        for (int i = from; i < to; i++) {
            double d = grads[i];
            sumSq += d * d;
        }
        return sumSq;
    }

    /** The global norm from every tensor's sum of squares, added in tensor order. */
    public static double norm(double[] tensorSquares) {
        double total = 0.0;
        for (double s : tensorSquares) {
            total += s;
        }
        return Math.sqrt(total);
    }

    /**
     * The factor gradients are multiplied by: {@code maxNorm / (norm + 1e-6)} when that is below 1,
     * else 1 (also when clipping is off or the norm is not finite).
     */
    public static double coefficient(double norm, double maxNorm) {
        if (!Double.isFinite(norm) || !(maxNorm > 0) || Double.isInfinite(maxNorm)) {
            return 1.0;
        }
        return Math.min(1.0, maxNorm / (norm + NORM_EPS));
    }

    /** Multiplies {@code grads[from, to)} by {@code coef}, rounding each product to float. */
    public static void scale(float[] grads, int from, int to, double coef) {
        for (int i = from; i < to; i++) {
            grads[i] = (float) (grads[i] * coef);
        }
    }
}
