package org.streamsbi.trainer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.streamsbi.buffer.Minibatch;

/**
 * Per-column z-scoring of θ and x, fixed from the training rows when training starts, as sbi's
 * {@code z_score_theta} / {@code z_score_x} = "independent".
 */
final class Standardization {
  /** sbi's floor: a constant column maps to 0 instead of dividing by zero. */
  private static final double MIN_STD = 1e-14;

  private final double[] thetaMean;
  private final double[] thetaStd;
  private final double[] xMean;
  private final double[] xStd;
  private final double thetaLogScale;

  private Standardization(double[] thetaMean, double[] thetaStd, double[] xMean, double[] xStd) {
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
    if (rows.size() < 2) {
      throw new IllegalArgumentException(
          "standardization needs at least 2 rows, got " + rows.size());
    }
    double[] thetaMean = new double[rows.thetaDimension()];
    double[] thetaStd = new double[rows.thetaDimension()];
    columnStats(rows.theta(), rows.size(), thetaMean, thetaStd);
    double[] xMean = new double[rows.xDimension()];
    double[] xStd = new double[rows.xDimension()];
    columnStats(rows.x(), rows.size(), xMean, xStd);
    return new Standardization(thetaMean, thetaStd, xMean, xStd);
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

  /** Σ log σ_θ: log q(θ | x) = log q(θ_z | x_z) − this. */
  double thetaLogScale() {
    return thetaLogScale;
  }

  /** Row-major θ values, z-scored into a new array. */
  float[] theta(float[] rowMajor) {
    return forward(rowMajor, thetaMean, thetaStd);
  }

  /** Row-major x values, z-scored into a new array. */
  float[] x(float[] rowMajor) {
    return forward(rowMajor, xMean, xStd);
  }

  /** Writes one z-scored θ row back in the original space. */
  void unstandardizeTheta(float[] z, int offset, float[] out) {
    for (int c = 0; c < out.length; c++) {
      out[c] = (float) (z[offset + c] * thetaStd[c] + thetaMean[c]);
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

  static Standardization read(DataInputStream in) throws IOException {
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
    return new Standardization(columns[0], columns[1], columns[2], columns[3]);
  }
}
