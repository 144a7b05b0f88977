package org.streamsbi.trainer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.streamsbi.core.prior.BoxUniform;
import org.streamsbi.core.prior.Prior;

/**
 * θ ↦ logit((θ − low)/(high − low)) per dimension, the bijection from a BoxUniform's box onto the
 * real line (sbi's {@code biject_to} of a box support): the estimator lives in unbounded space
 * and every draw mapped back lies inside the box.
 */
final class LogitTransform {
  /**
   * Shares of the width kept from either edge: a θ on the edge itself (the prior draws low) maps
   * to a finite ±13.8 instead of infinity.
   */
  private static final double EDGE = 1e-6;

  private final double[] low;
  private final double[] width;

  private LogitTransform(double[] low, double[] width) {
    this.low = low;
    this.width = width;
  }

  /** The transform of {@code prior}'s box. */
  static LogitTransform of(Prior prior) {
    if (!(prior instanceof BoxUniform box)) {
      throw new IllegalArgumentException(
          "flow.logitTransform needs a BoxUniform prior, got " + prior.getClass().getSimpleName());
    }
    double[] low = new double[box.dimension()];
    double[] width = new double[low.length];
    for (int i = 0; i < low.length; i++) {
      low[i] = box.low(i);
      width[i] = box.high(i) - box.low(i);
    }
    return new LogitTransform(low, width);
  }

  int dimension() {
    return low.length;
  }

  double forward(int i, double theta) {
    double u = share(i, theta);
    return Math.log(u) - Math.log1p(-u);
  }

  /** log |d forward / dθ| = −log u − log(1 − u) − log width. */
  double logDerivative(int i, double theta) {
    double u = share(i, theta);
    return -Math.log(u) - Math.log1p(-u) - Math.log(width[i]);
  }

  /** θ as a float inside [low, high) of dimension i, for any real y. */
  float inverse(int i, double y) {
    double high = low[i] + width[i];
    float theta = (float) (low[i] + width[i] / (1 + Math.exp(-y)));
    // Rounding to float can land on or beyond an edge; step back inside.
    while (theta >= high) {
      theta = Math.nextDown(theta);
    }
    while (theta < low[i]) {
      theta = Math.nextUp(theta);
    }
    return theta;
  }

  private double share(int i, double theta) {
    return Math.min(Math.max((theta - low[i]) / width[i], EDGE), 1 - EDGE);
  }

  void write(DataOutputStream out) throws IOException {
    out.writeInt(low.length);
    for (int i = 0; i < low.length; i++) {
      out.writeDouble(low[i]);
      out.writeDouble(width[i]);
    }
  }

  static LogitTransform read(DataInputStream in) throws IOException {
    int dimension = in.readInt();
    double[] low = new double[dimension];
    double[] width = new double[dimension];
    for (int i = 0; i < dimension; i++) {
      low[i] = in.readDouble();
      width[i] = in.readDouble();
      if (!(width[i] > 0)) {
        throw new IOException("the saved logit transform has an empty interval " + i);
      }
    }
    return new LogitTransform(low, width);
  }
}
