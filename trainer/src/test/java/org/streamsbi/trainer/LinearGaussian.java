package org.streamsbi.trainer;

import java.util.SplittableRandom;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.buffer.ReplayBufferConfig;
import org.streamsbi.core.Sample;

/**
 * A conditional density with a closed form: x ~ N(0, I), θ | x ~ N(A·x + b, Σ) with a full Σ.
 * Works in double; θ and x are handed out as float like simulator output.
 */
final class LinearGaussian {
  final double[][] a;
  final double[] b;
  final double[][] covariance;
  private final double[][] cholesky;
  private final double logNormalizer;

  LinearGaussian(double[][] a, double[] b, double[][] covariance) {
    this.a = a;
    this.b = b;
    this.covariance = covariance;
    int d = b.length;
    cholesky = new double[d][d];
    for (int i = 0; i < d; i++) {
      for (int j = 0; j <= i; j++) {
        double s = covariance[i][j];
        for (int k = 0; k < j; k++) {
          s -= cholesky[i][k] * cholesky[j][k];
        }
        cholesky[i][j] = i == j ? Math.sqrt(s) : s / cholesky[j][j];
      }
    }
    double logDet = 0;
    for (int i = 0; i < d; i++) {
      logDet += 2 * Math.log(cholesky[i][i]);
    }
    logNormalizer = -0.5 * (d * Math.log(2 * Math.PI) + logDet);
  }

  /** θ ∈ R² with a rotated mean and a correlated Σ: the case most trainer tests fit. */
  static LinearGaussian correlated2d() {
    return new LinearGaussian(
        new double[][] {{1.0, 0.5}, {-0.4, 0.8}},
        new double[] {0.5, -1.0},
        new double[][] {{0.5, 0.3}, {0.3, 0.4}});
  }

  /** Mean |log q(θ|x) − log p(θ|x)| in nats over 20 x's with 50 θ's drawn from the truth each. */
  double meanLogProbError(Posterior posterior, SplittableRandom rng) {
    double error = 0;
    int points = 0;
    for (int i = 0; i < 20; i++) {
      float[] x = x(rng);
      float[][] theta = new float[50][];
      for (int j = 0; j < theta.length; j++) {
        theta[j] = theta(x, rng);
      }
      double[] logQ = posterior.logProb(theta, x);
      for (int j = 0; j < theta.length; j++) {
        error += Math.abs(logQ[j] - logDensity(theta[j], x));
        points++;
      }
    }
    return error / points;
  }

  int thetaDimension() {
    return b.length;
  }

  int xDimension() {
    return a[0].length;
  }

  double[] mean(float[] x) {
    double[] m = b.clone();
    for (int i = 0; i < m.length; i++) {
      for (int j = 0; j < x.length; j++) {
        m[i] += a[i][j] * x[j];
      }
    }
    return m;
  }

  double logDensity(float[] theta, float[] x) {
    double[] m = mean(x);
    double[] w = new double[m.length];
    double squared = 0;
    for (int i = 0; i < m.length; i++) {
      double s = theta[i] - m[i];
      for (int k = 0; k < i; k++) {
        s -= cholesky[i][k] * w[k];
      }
      w[i] = s / cholesky[i][i];
      squared += w[i] * w[i];
    }
    return logNormalizer - 0.5 * squared;
  }

  float[] x(SplittableRandom rng) {
    float[] x = new float[xDimension()];
    for (int j = 0; j < x.length; j++) {
      x[j] = (float) rng.nextGaussian();
    }
    return x;
  }

  float[] theta(float[] x, SplittableRandom rng) {
    double[] m = mean(x);
    double[] z = new double[m.length];
    for (int i = 0; i < z.length; i++) {
      z[i] = rng.nextGaussian();
    }
    float[] theta = new float[m.length];
    for (int i = 0; i < m.length; i++) {
      double v = m[i];
      for (int k = 0; k <= i; k++) {
        v += cholesky[i][k] * z[k];
      }
      theta[i] = (float) v;
    }
    return theta;
  }

  /** A buffer holding {@code n} joint samples, validation fraction 0.1 like sbi. */
  ReplayBuffer buffer(int n, long seed) {
    ReplayBuffer buffer =
        new ReplayBuffer(new ReplayBufferConfig(n, n / 2, 0.1), thetaDimension(), xDimension());
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      float[] x = x(rng);
      String id = "s" + i;
      buffer.insert(new Sample(id, "run", 1, id, seed, theta(x, rng), x, "w", 0));
    }
    return buffer;
  }
}
