package org.streamsbi.core.prior;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/** Independent uniform distributions on [low_i, high_i), as sbi's BoxUniform. */
public final class BoxUniform implements Prior {
  private final double[] low;
  private final double[] high;
  private final double logDensity;

  public BoxUniform(double[] low, double[] high) {
    if (low.length == 0 || low.length != high.length) {
      throw new IllegalArgumentException(
          "BoxUniform: low and high must have the same non-zero length, got "
              + low.length + " and " + high.length);
    }
    double logVolume = 0;
    for (int i = 0; i < low.length; i++) {
      if (!(low[i] < high[i]) || !Double.isFinite(low[i]) || !Double.isFinite(high[i])) {
        throw new IllegalArgumentException(
            "BoxUniform: low[" + i + "]=" + low[i] + " must be finite and below high[" + i + "]="
                + high[i]);
      }
      logVolume += Math.log(high[i] - low[i]);
    }
    this.low = low.clone();
    this.high = high.clone();
    this.logDensity = -logVolume;
  }

  /** The same interval in every dimension. */
  public static BoxUniform of(int dimension, double low, double high) {
    double[] lo = new double[dimension];
    double[] hi = new double[dimension];
    Arrays.fill(lo, low);
    Arrays.fill(hi, high);
    return new BoxUniform(lo, hi);
  }

  public double low(int i) {
    return low[i];
  }

  public double high(int i) {
    return high[i];
  }

  @Override
  public int dimension() {
    return low.length;
  }

  @Override
  public float[] sample(RandomGenerator rng) {
    float[] theta = new float[low.length];
    for (int i = 0; i < theta.length; i++) {
      // Rounding to float can land exactly on high; redraw so samples stay inside the support.
      do {
        theta[i] = (float) (low[i] + (high[i] - low[i]) * rng.nextDouble());
      } while (theta[i] >= high[i]);
    }
    return theta;
  }

  @Override
  public double logProb(float[] theta) {
    return inSupport(theta) ? logDensity : Double.NEGATIVE_INFINITY;
  }

  @Override
  public boolean inSupport(float[] theta) {
    for (int i = 0; i < low.length; i++) {
      if (!(theta[i] >= low[i] && theta[i] < high[i])) {
        return false;
      }
    }
    return true;
  }

  /** The same box: a saved posterior's prior is compared with the one it is used under. */
  @Override
  public boolean equals(Object o) {
    return o instanceof BoxUniform b && Arrays.equals(low, b.low) && Arrays.equals(high, b.high);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(low) + Arrays.hashCode(high);
  }
}
