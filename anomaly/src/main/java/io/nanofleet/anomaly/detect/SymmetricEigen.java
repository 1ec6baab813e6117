package io.nanofleet.anomaly.detect;

/** Cyclic Jacobi eigen-decomposition for the small symmetric matrices PCA needs here (n <= a few dozen). */
final class SymmetricEigen {
    private SymmetricEigen() {
    }

    /** Returns eigenvectors as columns, ordered by descending eigenvalue; {@code a} is not modified. */
    static double[][] decompose(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            m[i] = a[i].clone();
        }
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) {
            v[i][i] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    off += m[p][q] * m[p][q];
                }
            }
            if (off < 1e-24) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (Math.abs(m[p][q]) < 1e-300) {
                        continue;
                    }
                    double theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < n; k++) {
                        double mkp = m[k][p];
                        double mkq = m[k][q];
                        m[k][p] = c * mkp - s * mkq;
                        m[k][q] = s * mkp + c * mkq;
                    }
                    for (int k = 0; k < n; k++) {
                        double mpk = m[p][k];
                        double mqk = m[q][k];
                        m[p][k] = c * mpk - s * mqk;
                        m[q][k] = s * mpk + c * mqk;
                    }
                    for (int k = 0; k < n; k++) {
                        double vkp = v[k][p];
                        double vkq = v[k][q];
                        v[k][p] = c * vkp - s * vkq;
                        v[k][q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(m[y][y], m[x][x]));
        double[][] out = new double[n][n];
        for (int c = 0; c < n; c++) {
            // Fix the sign (largest component positive) so results do not depend on rotation order.
            int col = order[c];
            int big = 0;
            for (int i = 1; i < n; i++) {
                if (Math.abs(v[i][col]) > Math.abs(v[big][col])) {
                    big = i;
                }
            }
            double sign = v[big][col] < 0 ? -1 : 1;
            for (int i = 0; i < n; i++) {
                out[i][c] = sign * v[i][col];
            }
        }
        return out;
    }
}
