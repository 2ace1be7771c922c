package dev.pacer.adalrs;

import java.util.ArrayList;
import java.util.List;

/**
 * Losses of consecutive steps and their loss-descent velocity: minus the least-squares slope of
 * loss against step, with the slope's standard error from the regression residuals (AdaLRS,
 * Dong et al. 2025, section 3: velocity of the loss over a window).
 */
public final class LossWindow {

    private final List<double[]> points = new ArrayList<>();

    public void add(long step, double loss) {
        points.add(new double[] {step, loss});
    }

    public int size() {
        return points.size();
    }

    public void clear() {
        points.clear();
    }

    public List<double[]> points() {
        return points;
    }

    /** Mean step of the window: where its velocity is measured. */
    public double center() {
        double s = 0;
        for (double[] p : points) {
            s += p[0];
        }
        return s / points.size();
    }

    /** Velocity and its standard error; needs at least 3 points. */
    public Velocity velocity() {
        int n = points.size();
        if (n < 3) {
            throw new IllegalStateException("a velocity needs at least 3 losses, the window has " + n);
        }
        double mt = center();
        double ml = 0;
        for (double[] p : points) {
            ml += p[1];
        }
        ml /= n;
        double stt = 0;
        double stl = 0;
        for (double[] p : points) {
            stt += (p[0] - mt) * (p[0] - mt);
            stl += (p[0] - mt) * (p[1] - ml);
        }
        double slope = stl / stt;
        double sse = 0;
        for (double[] p : points) {
            double r = p[1] - (ml + slope * (p[0] - mt));
            sse += r * r;
        }
        double stderr = Math.sqrt(sse / (n - 2) / stt);
        return new Velocity(-slope, stderr, mt);
    }

    /** {@code value} = loss decrease per step; {@code error} its standard error; at step {@code center}. */
    public record Velocity(double value, double error, double center) {}
}
