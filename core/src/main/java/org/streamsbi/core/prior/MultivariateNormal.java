package org.streamsbi.core.prior;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/** A Gaussian prior N(μ, Σ) with a full covariance matrix. */
public final class MultivariateNormal implements Prior {
  private static final double LOG_2PI = Math.log(2 * Math.PI);

  private final double[] mean;
  private final double[][] covariance;
  private final double[][] cholesky;
  private final double logNormalizer;

  public MultivariateNormal(double[] mean, double[][] covariance) {
    int d = mean.length;
    if (d == 0) {
      throw new IllegalArgumentException("MultivariateNormal: mean must not be empty");
    }
    if (covariance.length != d) {
      throw new IllegalArgumentException(
          "MultivariateNormal: covariance has " + covariance.length + " rows, mean has " + d);
    }
    for (int i = 0; i < d; i++) {
      if (covariance[i].length != d) {
        throw new IllegalArgumentException(
            "MultivariateNormal: covariance row " + i + " has " + covariance[i].length
                + " entries, expected " + d);
      }
      for (int j = 0; j < i; j++) {
        if (Math.abs(covariance[i][j] - covariance[j][i])
            > 1e-9 * Math.max(1, Math.abs(covariance[i][j]))) {
          throw new IllegalArgumentException(
              "MultivariateNormal: covariance is not symmetric at (" + i + "," + j + ")");
        }
      }
    }
    this.mean = mean.clone();
    this.covariance = new double[d][];
    for (int i = 0; i < d; i++) {
      this.covariance[i] = covariance[i].clone();
    }
    this.cholesky = choleskyFactor(covariance);
    double logDet = 0;
    for (int i = 0; i < d; i++) {
      logDet += 2 * Math.log(cholesky[i][i]);
    }
    this.logNormalizer = -0.5 * (d * LOG_2PI + logDet);
  }

  /** N(μ, σ²·I). */
  public static MultivariateNormal isotropic(double[] mean, double variance) {
    double[][] cov = new double[mean.length][mean.length];
    for (int i = 0; i < mean.length; i++) {
      cov[i][i] = variance;
    }
    return new MultivariateNormal(mean, cov);
  }

  private static double[][] choleskyFactor(double[][] a) {
    int d = a.length;
    double[][] l = new double[d][d];
    for (int i = 0; i < d; i++) {
      for (int j = 0; j <= i; j++) {
        double sum = a[i][j];
        for (int k = 0; k < j; k++) {
          sum -= l[i][k] * l[j][k];
        }
        if (i == j) {
          if (!(sum > 0)) {
            throw new IllegalArgumentException(
                "MultivariateNormal: covariance is not positive definite (pivot " + i + ")");
          }
          l[i][i] = Math.sqrt(sum);
        } else {
          l[i][j] = sum / l[j][j];
        }
      }
    }
    return l;
  }

  @Override
  public int dimension() {
    return mean.length;
  }

  /** μ, a copy. */
  public double[] mean() {
    return mean.clone();
  }

  /** Σ as given, a copy: rebuilding it from the Cholesky factor would round it. */
  public double[][] covariance() {
    double[][] out = new double[covariance.length][];
    for (int i = 0; i < out.length; i++) {
      out[i] = covariance[i].clone();
    }
    return out;
  }

  /** A draw in double precision, for priors built on this one. */
  double[] sampleExact(RandomGenerator rng) {
    int d = mean.length;
    double[] z = new double[d];
    for (int i = 0; i < d; i++) {
      z[i] = rng.nextGaussian();
    }
    double[] out = mean.clone();
    for (int i = 0; i < d; i++) {
      for (int k = 0; k <= i; k++) {
        out[i] += cholesky[i][k] * z[k];
      }
    }
    return out;
  }

  /** log N(y; μ, Σ) for a point in double precision. */
  double logDensity(double[] y) {
    int d = mean.length;
    double[] w = new double[d];
    double squared = 0;
    for (int i = 0; i < d; i++) {
      double s = y[i] - mean[i];
      for (int k = 0; k < i; k++) {
        s -= cholesky[i][k] * w[k];
      }
      w[i] = s / cholesky[i][i];
      squared += w[i] * w[i];
    }
    return logNormalizer - 0.5 * squared;
  }

  @Override
  public float[] sample(RandomGenerator rng) {
    double[] y = sampleExact(rng);
    float[] theta = new float[y.length];
    for (int i = 0; i < y.length; i++) {
      theta[i] = (float) y[i];
    }
    return theta;
  }

  @Override
  public double logProb(float[] theta) {
    double[] y = new double[theta.length];
    for (int i = 0; i < y.length; i++) {
      y[i] = theta[i];
    }
    return logDensity(y);
  }

  @Override
  public boolean inSupport(float[] theta) {
    for (float v : theta) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  /** The same μ and Σ: a saved posterior's prior is compared with the one it is used under. */
  @Override
  public boolean equals(Object o) {
    return o instanceof MultivariateNormal n && Arrays.equals(mean, n.mean) && Arrays.deepEquals(covariance, n.covariance);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(mean) + Arrays.deepHashCode(covariance);
  }
}
