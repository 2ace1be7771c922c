package dev.pacer.hidlr;

/**
 * Least-squares fit of the loss along one direction, {@code L(ξ) ≈ c − b·ξ + ½·A·ξ²}, where
 * {@code ξ} is the step taken along the update direction (docs/design.md section 4). The best step is
 * {@code b / A} when {@code A > 0} and {@code b > 0}.
 *
 * @param b  slope: loss decrease per unit step at {@code ξ = 0}
 * @param a  curvature {@code A}
 * @param c  intercept (the fitted loss at {@code ξ = 0})
 * @param r2 coefficient of determination of the fit; 0 when the losses do not vary
 */
public record CurvatureFit(double b, double a, double c, double r2) {

    /**
     * Fits the quadratic through the points {@code (xi[i], loss[i])} by ordinary least squares.
     *
     * @throws IllegalArgumentException if the arrays differ in length, hold fewer than three points,
     *                                  or the offsets take fewer than three distinct values
     */
    public static CurvatureFit of(double[] xi, double[] loss) {
        if (xi.length != loss.length) {
            throw new IllegalArgumentException(
                    "offsets and losses differ in length: " + xi.length + " vs " + loss.length);
        }
        int n = xi.length;
        if (n < 3) {
            throw new IllegalArgumentException("a quadratic fit needs at least 3 points, got " + n);
        }
        // centre and scale the offsets so the normal equations stay well conditioned whatever the rate
        double scale = 0;
        for (double x : xi) {
            scale = Math.max(scale, Math.abs(x));
        }
        if (!(scale > 0)) {
            throw new IllegalArgumentException("all offsets are 0: nothing to fit");
        }
        double meanY = 0;
        for (double y : loss) {
            meanY += y;
        }
        meanY /= n;
        // normal equations for y - meanY = p0 + p1·u + p2·u², u = ξ / scale
        double[][] m = new double[3][4];
        for (int i = 0; i < n; i++) {
            double u = xi[i] / scale;
            double[] f = {1, u, u * u};
            double y = loss[i] - meanY;
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 3; c++) {
                    m[r][c] += f[r] * f[c];
                }
                m[r][3] += f[r] * y;
            }
        }
        double[] p = solve(m);
        double ssRes = 0;
        double ssTot = 0;
        for (int i = 0; i < n; i++) {
            double u = xi[i] / scale;
            double y = loss[i] - meanY;
            double fitted = p[0] + p[1] * u + p[2] * u * u;
            ssRes += (y - fitted) * (y - fitted);
            ssTot += y * y;
        }
        double r2 = ssTot > 0 ? 1 - ssRes / ssTot : 0;
        // back to ξ: L = meanY + p0 + (p1/scale)·ξ + (p2/scale²)·ξ²
        return new CurvatureFit(-p[1] / scale, 2 * p[2] / (scale * scale), meanY + p[0], r2);
    }

    /** Gaussian elimination with partial pivoting of a 3×3 system in augmented form. */
    private static double[] solve(double[][] m) {
        for (int col = 0; col < 3; col++) {
            int pivot = col;
            for (int r = col + 1; r < 3; r++) {
                if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) {
                    pivot = r;
                }
            }
            if (Math.abs(m[pivot][col]) < 1e-12) {
                throw new IllegalArgumentException(
                        "offsets take fewer than 3 distinct values: the quadratic is undetermined");
            }
            double[] tmp = m[col];
            m[col] = m[pivot];
            m[pivot] = tmp;
            for (int r = col + 1; r < 3; r++) {
                double f = m[r][col] / m[col][col];
                for (int c = col; c < 4; c++) {
                    m[r][c] -= f * m[col][c];
                }
            }
        }
        double[] x = new double[3];
        for (int r = 2; r >= 0; r--) {
            double s = m[r][3];
            for (int c = r + 1; c < 3; c++) {
                s -= m[r][c] * x[c];
            }
            x[r] = s / m[r][r];
        }
        return x;
    }

    /** The best step {@code b / A}, or NaN when the fit has no minimum ahead ({@code A <= 0} or {@code b <= 0}). */
    public double bestStep() {
        return a > 0 && b > 0 ? b / a : Double.NaN;
    }
}
