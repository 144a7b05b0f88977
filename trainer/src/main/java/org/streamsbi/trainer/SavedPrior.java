package org.streamsbi.trainer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Optional;
import org.streamsbi.core.prior.BoxUniform;
import org.streamsbi.core.prior.LogNormal;
import org.streamsbi.core.prior.MultivariateNormal;
import org.streamsbi.core.prior.Prior;

/**
 * The prior as a saved posterior records it, so that the file can be sampled without the run that
 * trained it. Priors of the kinds a run file names are recorded in full; any other {@link Prior}
 * implementation is recorded as {@link Kind#UNRECORDED}, and loading such a file needs the prior
 * again.
 */
final class SavedPrior {
  enum Kind {
    UNRECORDED,
    BOX_UNIFORM,
    NORMAL,
    LOGNORMAL
  }

  private SavedPrior() {}

  static void write(DataOutputStream out, Prior prior) throws IOException {
    out.writeInt(prior.dimension());
    if (prior instanceof BoxUniform box) {
      out.writeUTF(Kind.BOX_UNIFORM.name());
      for (int i = 0; i < box.dimension(); i++) {
        out.writeDouble(box.low(i));
        out.writeDouble(box.high(i));
      }
    } else if (prior instanceof MultivariateNormal normal) {
      out.writeUTF(Kind.NORMAL.name());
      writeGaussian(out, normal.mean(), normal.covariance());
    } else if (prior instanceof LogNormal logNormal) {
      out.writeUTF(Kind.LOGNORMAL.name());
      writeGaussian(out, logNormal.mean(), logNormal.covariance());
    } else {
      out.writeUTF(Kind.UNRECORDED.name());
    }
  }

  /** The recorded prior; empty when it was {@link Kind#UNRECORDED}. */
  static Optional<Prior> read(DataInputStream in) throws IOException {
    int d = in.readInt();
    if (d < 1) {
      throw new IOException("the saved prior has " + d + " parameters");
    }
    Kind kind;
    String name = in.readUTF();
    try {
      kind = Kind.valueOf(name);
    } catch (IllegalArgumentException e) {
      throw new IOException("unknown prior kind " + name + " in the saved posterior", e);
    }
    try {
      switch (kind) {
        case BOX_UNIFORM -> {
          double[] low = new double[d];
          double[] high = new double[d];
          for (int i = 0; i < d; i++) {
            low[i] = in.readDouble();
            high[i] = in.readDouble();
          }
          return Optional.of(new BoxUniform(low, high));
        }
        case NORMAL -> {
          double[] mean = readVector(in, d);
          return Optional.of(new MultivariateNormal(mean, readMatrix(in, d)));
        }
        case LOGNORMAL -> {
          double[] mean = readVector(in, d);
          return Optional.of(new LogNormal(mean, readMatrix(in, d)));
        }
        default -> {
          return Optional.empty();
        }
      }
    } catch (IllegalArgumentException e) {
      throw new IOException("the saved prior is invalid: " + e.getMessage(), e);
    }
  }

  private static void writeGaussian(DataOutputStream out, double[] mean, double[][] covariance)
      throws IOException {
    for (double m : mean) {
      out.writeDouble(m);
    }
    for (double[] row : covariance) {
      for (double c : row) {
        out.writeDouble(c);
      }
    }
  }

  private static double[] readVector(DataInputStream in, int d) throws IOException {
    double[] v = new double[d];
    for (int i = 0; i < d; i++) {
      v[i] = in.readDouble();
    }
    return v;
  }

  private static double[][] readMatrix(DataInputStream in, int d) throws IOException {
    double[][] m = new double[d][];
    for (int i = 0; i < d; i++) {
      m[i] = readVector(in, d);
    }
    return m;
  }
}
