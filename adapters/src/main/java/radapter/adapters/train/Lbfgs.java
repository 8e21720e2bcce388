package radapter.adapters.train;

/**
 * Limited-memory BFGS for smooth unconstrained minimisation in double precision (Nocedal &amp;
 * Wright, Algorithm 7.4/7.5), with a backtracking Armijo line search. The curvature pair of a step
 * is kept only when {@code sᵀy > 0}, which keeps the implicit inverse Hessian positive definite
 * without a Wolfe search; for a convex objective such as regularised logistic regression that is
 * all it needs.
 */
final class Lbfgs {
    /** A function and its gradient: returns f(x) and writes ∇f(x) into {@code grad}. */
    interface Objective {
        double value(double[] x, double[] grad);
    }

    /** How a minimisation ended. */
    record Outcome(double value, int iterations, boolean converged) {
    }

    /** Relative decrease of f below which the run counts as converged (scipy's L-BFGS-B uses about 2e-9). */
    static final double FTOL = 1e-10;
    private static final double ARMIJO = 1e-4;
    private static final int MAX_BACKTRACKS = 40;

    private Lbfgs() {
    }

    /**
     * Minimises {@code f} from {@code x} (updated in place). Stops when the largest gradient
     * component is at most {@code gtol}, when f decreases by less than {@link #FTOL} relative, when
     * no step along the search direction lowers f any more (the float precision of f is reached),
     * or after {@code maxIterations}; only the last counts as not converged.
     */
    static Outcome minimize(Objective f, double[] x, int maxIterations, double gtol, int memory) {
        int d = x.length;
        double[] g = new double[d];
        double fx = f.value(x, g);
        if (!Double.isFinite(fx)) {
            throw new IllegalArgumentException("the objective is " + fx + " at the starting point");
        }
        double[][] s = new double[memory][d];
        double[][] y = new double[memory][d];
        double[] rho = new double[memory];
        double[] alpha = new double[memory];
        int stored = 0;
        int newest = -1;
        double[] dir = new double[d];
        double[] xNew = new double[d];
        double[] gNew = new double[d];
        for (int iter = 0; iter < maxIterations; iter++) {
            if (normInf(g) <= gtol) {
                return new Outcome(fx, iter, true);
            }
            // Two-loop recursion: dir = −H·g.
            for (int i = 0; i < d; i++) {
                dir[i] = -g[i];
            }
            for (int k = 0; k < stored; k++) {
                int j = Math.floorMod(newest - k, memory);
                alpha[j] = rho[j] * dot(s[j], dir);
                axpy(-alpha[j], y[j], dir);
            }
            if (stored > 0) {
                double gamma = dot(s[newest], y[newest]) / dot(y[newest], y[newest]);
                scale(gamma, dir);
            }
            for (int k = stored - 1; k >= 0; k--) {
                int j = Math.floorMod(newest - k, memory);
                double beta = rho[j] * dot(y[j], dir);
                axpy(alpha[j] - beta, s[j], dir);
            }
            double gd = dot(g, dir);
            if (!(gd < 0)) {
                // Not a descent direction (rounding in the history): forget it and go downhill.
                stored = 0;
                for (int i = 0; i < d; i++) {
                    dir[i] = -g[i];
                }
                gd = -dot(g, g);
            }
            // Without curvature information the gradient's scale is arbitrary: take a unit-length first step.
            double step = stored == 0 ? Math.min(1.0, 1.0 / Math.sqrt(-gd)) : 1.0;
            double fNew = Double.NaN;
            boolean accepted = false;
            for (int b = 0; b < MAX_BACKTRACKS; b++) {
                for (int i = 0; i < d; i++) {
                    xNew[i] = x[i] + step * dir[i];
                }
                fNew = f.value(xNew, gNew);
                if (Double.isFinite(fNew) && fNew <= fx + ARMIJO * step * gd) {
                    accepted = true;
                    break;
                }
                // Minimum of the quadratic through f(x), f'(x) and f(x + step·dir), kept within [0.1, 0.5]·step.
                double q = Double.isFinite(fNew) ? -gd * step * step / (2 * (fNew - fx - gd * step)) : 0.1 * step;
                step = Math.max(0.1 * step, Math.min(0.5 * step, q));
            }
            if (!accepted) {
                return new Outcome(fx, iter, true);
            }
            int next = (newest + 1) % memory;
            double sy = 0;
            double ss = 0;
            double yy = 0;
            for (int i = 0; i < d; i++) {
                double si = xNew[i] - x[i];
                double yi = gNew[i] - g[i];
                s[next][i] = si;
                y[next][i] = yi;
                sy += si * yi;
                ss += si * si;
                yy += yi * yi;
            }
            if (sy > 1e-10 * Math.sqrt(ss * yy)) {
                rho[next] = 1.0 / sy;
                newest = next;
                stored = Math.min(stored + 1, memory);
            }
            double decrease = fx - fNew;
            System.arraycopy(xNew, 0, x, 0, d);
            System.arraycopy(gNew, 0, g, 0, d);
            double before = fx;
            fx = fNew;
            if (decrease <= FTOL * Math.max(1.0, Math.max(Math.abs(before), Math.abs(fNew)))) {
                return new Outcome(fx, iter + 1, true);
            }
        }
        return new Outcome(fx, maxIterations, normInf(g) <= gtol);
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    private static void scale(double a, double[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] *= a;
        }
    }

    static double normInf(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }
}
