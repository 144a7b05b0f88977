package org.streamsbi.core.prior;

import java.util.random.RandomGenerator;

/** θ = exp(y) with y ~ N(μ, Σ): positive parameters such as rates and diffusivities. */
public final class LogNormal implements Prior {
  private final MultivariateNormal logScale;

  /**
   * @param mean μ of log θ
   * @param covariance Σ of log θ
   */
  public LogNormal(double[] mean, double[][] covariance) {
    this.logScale = new MultivariateNormal(mean, covariance);
  }

  @Override
  public int dimension() {
    return logScale.dimension();
  }

  /** μ of log θ, a copy. */
  public double[] mean() {
    return logScale.mean();
  }

  /** Σ of log θ, a copy. */
  public double[][] covariance() {
    return logScale.covariance();
  }

  @Override
  public float[] sample(RandomGenerator rng) {
    float[] theta = new float[dimension()];
    // Underflow to 0 or overflow to ∞ in float would leave the support: redraw instead.
    do {
      double[] y = logScale.sampleExact(rng);
      for (int i = 0; i < y.length; i++) {
        theta[i] = (float) Math.exp(y[i]);
      }
    } while (!inSupport(theta));
    return theta;
  }

  @Override
  public double logProb(float[] theta) {
    if (!inSupport(theta)) {
      return Double.NEGATIVE_INFINITY;
    }
    double[] y = new double[theta.length];
    double jacobian = 0;
    for (int i = 0; i < y.length; i++) {
      y[i] = Math.log(theta[i]);
      jacobian += y[i];
    }
    return logScale.logDensity(y) - jacobian;
  }

  @Override
  public boolean inSupport(float[] theta) {
    for (float v : theta) {
      if (!(v > 0) || !Float.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LogNormal l && logScale.equals(l.logScale);
  }

  @Override
  public int hashCode() {
    return 17 + logScale.hashCode();
  }
}
