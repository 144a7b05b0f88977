package org.streamsbi.trainer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.streamsbi.buffer.Minibatch;

/**
 * Per-column z-scoring of θ and x, fixed from the training rows when training starts, as sbi's
 * {@code z_score_theta} / {@code z_score_x} = "independent"; with a {@link LogitTransform}, θ is
 * mapped by it first and z-scored in the unbounded space.
 */
final class Standardization {
  /** sbi's floor: a constant column maps to 0 instead of dividing by zero. */
  private static final double MIN_STD = 1e-14;

  private final double[] thetaMean;
  private final double[] thetaStd;
  private final double[] xMean;
  private final double[] xStd;
  private final double thetaLogScale;
  /** Null when θ is z-scored as it is. */
  private final LogitTransform logit;

  private Standardization(
      double[] thetaMean, double[] thetaStd, double[] xMean, double[] xStd, LogitTransform logit) {
    this.logit = logit;
    this.thetaMean = thetaMean;
    this.thetaStd = thetaStd;
    this.xMean = xMean;
    this.xStd = xStd;
    double sum = 0;
    for (double s : thetaStd) {
      sum += Math.log(s);
    }
    this.thetaLogScale = sum;
  }

  static Standardization fit(Minibatch rows) {
    return fit(rows, null);
  }

  /** Fit on the training rows, with θ first mapped by {@code logit} unless it is null. */
  static Standardization fit(Minibatch rows, LogitTransform logit) {
    if (logit != null && logit.dimension() != rows.thetaDimension()) {
      throw new IllegalArgumentException(
          "the logit transform is for " + logit.dimension() + " parameters, θ has "
              + rows.thetaDimension());
    }
    if (rows.size() < 2) {
      throw new IllegalArgumentException(
          "standardization needs at least 2 rows, got " + rows.size());
    }
    double[] thetaMean = new double[rows.thetaDimension()];
    double[] thetaStd = new double[rows.thetaDimension()];
    columnStats(unbounded(rows.theta(), logit), rows.size(), thetaMean, thetaStd);
    double[] xMean = new double[rows.xDimension()];
    double[] xStd = new double[rows.xDimension()];
    columnStats(rows.x(), rows.size(), xMean, xStd);
    return new Standardization(thetaMean, thetaStd, xMean, xStd, logit);
  }

  private static float[] unbounded(float[] theta, LogitTransform logit) {
    if (logit == null) {
      return theta;
    }
    int d = logit.dimension();
    float[] out = new float[theta.length];
    for (int k = 0; k < theta.length; k++) {
      out[k] = (float) logit.forward(k % d, theta[k]);
    }
    return out;
  }

  /** Mean and unbiased standard deviation per column, as torch.std. */
  private static void columnStats(float[] values, int rows, double[] mean, double[] std) {
    int width = mean.length;
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < width; c++) {
        mean[c] += values[r * width + c];
      }
    }
    for (int c = 0; c < width; c++) {
      mean[c] /= rows;
    }
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < width; c++) {
        double d = values[r * width + c] - mean[c];
        std[c] += d * d;
      }
    }
    for (int c = 0; c < width; c++) {
      std[c] = Math.max(Math.sqrt(std[c] / (rows - 1)), MIN_STD);
    }
  }

  int thetaDimension() {
    return thetaMean.length;
  }

  int xDimension() {
    return xMean.length;
  }

  /**
   * Σ log σ_θ: log q(θ | x) = log q(θ_z | x_z) − this, plus {@link #logitLogDeterminant} with a
   * logit transform.
   */
  double thetaLogScale() {
    return thetaLogScale;
  }

  /** The logit transform θ passes first, or null. */
  LogitTransform logit() {
    return logit;
  }

  /** log |det ∂logit(θ)/∂θ| of row {@code row} of row-major θ; 0 without a logit transform. */
  double logitLogDeterminant(float[] theta, int row) {
    if (logit == null) {
      return 0;
    }
    int d = thetaMean.length;
    double sum = 0;
    for (int c = 0; c < d; c++) {
      sum += logit.logDerivative(c, theta[row * d + c]);
    }
    return sum;
  }

  /** Row-major θ values, mapped by the logit transform if any and z-scored into a new array. */
  float[] theta(float[] rowMajor) {
    return forward(unbounded(rowMajor, logit), thetaMean, thetaStd);
  }

  /** Row-major x values, z-scored into a new array. */
  float[] x(float[] rowMajor) {
    return forward(rowMajor, xMean, xStd);
  }

  /** Writes one z-scored θ row back in the original space. */
  void unstandardizeTheta(float[] z, int offset, float[] out) {
    for (int c = 0; c < out.length; c++) {
      double unscaled = z[offset + c] * thetaStd[c] + thetaMean[c];
      out[c] = logit == null ? (float) unscaled : logit.inverse(c, unscaled);
    }
  }

  private static float[] forward(float[] values, double[] mean, double[] std) {
    int width = mean.length;
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      int c = i % width;
      out[i] = (float) ((values[i] - mean[c]) / std[c]);
    }
    return out;
  }

  void write(DataOutputStream out) throws IOException {
    out.writeInt(thetaMean.length);
    out.writeInt(xMean.length);
    for (double[] column : new double[][] {thetaMean, thetaStd, xMean, xStd}) {
      for (double v : column) {
        out.writeDouble(v);
      }
    }
  }

  /** The z-scoring written by {@link #write}; the logit transform, or null, is stored apart. */
  static Standardization read(DataInputStream in, LogitTransform logit) throws IOException {
    int thetaDimension = in.readInt();
    int xDimension = in.readInt();
    double[][] columns = {
      new double[thetaDimension], new double[thetaDimension], new double[xDimension],
      new double[xDimension]
    };
    for (double[] column : columns) {
      for (int i = 0; i < column.length; i++) {
        column[i] = in.readDouble();
      }
    }
    if (logit != null && logit.dimension() != thetaDimension) {
      throw new IOException(
          "the saved logit transform is for " + logit.dimension() + " parameters, θ has "
              + thetaDimension);
    }
    return new Standardization(columns[0], columns[1], columns[2], columns[3], logit);
  }
}
