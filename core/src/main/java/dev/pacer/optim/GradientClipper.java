package dev.pacer.optim;

import java.util.Objects;

/** Gradient clipping by global L2 norm, with the rule of {@code torch.nn.utils.clip_grad_norm_}. */
public final class GradientClipper {

    /** Added to the norm in the clipping coefficient, as in PyTorch. */
    public static final double NORM_EPS = 1e-6;

    private GradientClipper() {}

    /**
     * Computes the global L2 norm of {@code grads} (in double precision) and, if clipping is enabled and
     * {@code maxNorm / (norm + 1e-6) < 1}, multiplies every gradient in place by that coefficient.
     *
     * <p>Clipping is disabled when {@code maxNorm} is {@code <= 0}, infinite or NaN; the norm is still
     * computed and returned. When the norm is not finite (a NaN or infinite gradient), the gradients are left
     * untouched and the non-finite norm is returned so that the caller can decide (e.g. skip the step).
     *
     * @return the global L2 norm before clipping
     */
    public static double clipByGlobalNorm(float[] grads, double maxNorm) {
        Objects.requireNonNull(grads, "grads");
        double sumSq = 0.0;
        for (float g : grads) {
            double d = g;
            sumSq += d * d;
        }
        double norm = Math.sqrt(sumSq);
        if (!Double.isFinite(norm)) {
            return norm;
        }
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
            return norm;
        }
        double coef = maxNorm / (norm + NORM_EPS);
        if (coef < 1.0) {
            for (int i = 0; i < grads.length; i++) {
                grads[i] = (float) (grads[i] * coef);
            }
        }
        return norm;
    }
}
