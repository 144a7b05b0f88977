package org.streamsbi.trainer;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.streamsbi.buffer.Minibatch;
import org.streamsbi.core.prior.Prior;

/**
 * The estimator with its standardization: q(θ | x) in the original spaces of θ and x. Owns the
 * DJL model holding the estimator's parameters; not thread-safe.
 */
final class ConditionalDensity implements AutoCloseable {
  /** Rows per native call when evaluating or sampling: bounds native memory, amortises calls. */
  static final int CHUNK = 10_000;
  /** Files from before the NSF hold a MAF and no estimator field. */
  private static final int MAF_FORMAT = 0x5342_4931;
  /** Files from before embeddings and the logit transform. */
  private static final int FLOW_FORMAT = 0x5342_4932;
  /** Files from before ensembles. */
  private static final int SINGLE_FORMAT = 0x5342_4933;
  private static final int FORMAT = 0x5342_4934;

  private final FlowConfig config;
  private final Standardization standardization;
  private final ConditionalEstimator estimator;
  private final Model model;

  private ConditionalDensity(FlowConfig config, Standardization standardization) {
    if (config.logitTransform() != (standardization.logit() != null)) {
      throw new IllegalArgumentException(
          "flow.logitTransform is " + config.logitTransform()
              + " but the standardization " + (config.logitTransform() ? "has none" : "has one"));
    }
    this.config = config;
    this.standardization = standardization;
    this.estimator =
        ConditionalEstimator.of(
            config, standardization.thetaDimension(), standardization.xDimension());
    this.model = Model.newInstance("npe", Djl.device());
    model.setBlock(estimator);
  }

  /** An estimator with uninitialised parameters, to be trained. */
  static ConditionalDensity untrained(FlowConfig config, Standardization standardization) {
    return new ConditionalDensity(config, standardization);
  }

  /**
   * An estimator with uninitialised parameters, z-scoring fitted on {@code trainingSet} (after
   * the logit transform of {@code prior}'s box, when the configuration asks for it).
   */
  static ConditionalDensity untrained(FlowConfig config, Minibatch trainingSet, Prior prior) {
    LogitTransform logit = config.logitTransform() ? LogitTransform.of(prior) : null;
    return new ConditionalDensity(config, Standardization.fit(trainingSet, logit));
  }

  FlowConfig config() {
    return config;
  }

  Model model() {
    return model;
  }

  ConditionalEstimator estimator() {
    return estimator;
  }

  Standardization standardization() {
    return standardization;
  }

  int thetaDimension() {
    return standardization.thetaDimension();
  }

  int xDimension() {
    return standardization.xDimension();
  }

  /** log q(θ | x) per row, for row-major θ and x. */
  double[] logProb(float[] theta, float[] x, int rows) {
    int d = thetaDimension();
    int dx = xDimension();
    float[] thetaZ = standardization.theta(theta);
    float[] xZ = standardization.x(x);
    double[] out = new double[rows];
    for (int start = 0; start < rows; start += CHUNK) {
      int n = Math.min(CHUNK, rows - start);
      try (NDManager manager = model.getNDManager().newSubManager()) {
        NDArray t =
            manager.create(
                Arrays.copyOfRange(thetaZ, start * d, (start + n) * d), new Shape(n, d));
        NDArray c =
            manager.create(Arrays.copyOfRange(xZ, start * dx, (start + n) * dx), new Shape(n, dx));
        float[] logQ = estimator.logProb(t, c, Parameter::getArray).toFloatArray();
        for (int i = 0; i < n; i++) {
          out[start + i] =
              logQ[i]
                  - standardization.thetaLogScale()
                  + standardization.logitLogDeterminant(theta, start + i);
        }
      }
    }
    return out;
  }

  /** {@code n} draws θ ~ q(θ | x), row-major in the original θ space; n at most {@link #CHUNK}. */
  float[] sample(int n, float[] observation, RandomGenerator rng) {
    int d = thetaDimension();
    float[] xZ = standardization.x(observation);
    float[] context = new float[n * xZ.length];
    for (int r = 0; r < n; r++) {
      System.arraycopy(xZ, 0, context, r * xZ.length, xZ.length);
    }
    float[] thetaZ;
    try (NDManager manager = model.getNDManager().newSubManager()) {
      thetaZ =
          estimator
              .sample(manager.create(context, new Shape(n, xZ.length)), rng, Parameter::getArray)
              .toFloatArray();
    }
    float[] out = new float[n * d];
    float[] row = new float[d];
    for (int r = 0; r < n; r++) {
      standardization.unstandardizeTheta(thetaZ, r * d, row);
      System.arraycopy(row, 0, out, r * d, d);
    }
    return out;
  }

  void write(DataOutputStream out) throws IOException {
    out.writeInt(FORMAT);
    out.writeUTF(config.estimator().name());
    out.writeInt(config.transforms());
    out.writeInt(config.hiddenUnits());
    Embedding embedding = config.embedding();
    out.writeUTF(embedding.kind().name());
    out.writeInt(embedding.units());
    out.writeInt(embedding.kernel());
    out.writeInt(embedding.features());
    out.writeBoolean(config.logitTransform());
    out.writeInt(config.ensemble());
    if (config.logitTransform()) {
      standardization.logit().write(out);
    }
    standardization.write(out);
    estimator.saveParameters(out);
  }

  static ConditionalDensity read(DataInputStream in) throws IOException {
    int format = in.readInt();
    Estimator estimator;
    if (format == FORMAT || format == SINGLE_FORMAT || format == FLOW_FORMAT) {
      estimator = named(Estimator.class, in.readUTF());
    } else if (format == MAF_FORMAT) {
      estimator = Estimator.MAF;
    } else {
      throw new IOException("not a saved posterior (format tag " + Integer.toHexString(format) + ")");
    }
    int transforms = in.readInt();
    int hiddenUnits = in.readInt();
    FlowConfig config;
    LogitTransform logit = null;
    try {
      if (format == FORMAT || format == SINGLE_FORMAT) {
        Embedding embedding =
            new Embedding(
                named(Embedding.Kind.class, in.readUTF()), in.readInt(), in.readInt(), in.readInt());
        boolean logitTransform = in.readBoolean();
        int ensemble = format == FORMAT ? in.readInt() : 1;
        if (logitTransform) {
          logit = LogitTransform.read(in);
        }
        config =
            new FlowConfig(estimator, transforms, hiddenUnits, embedding, logitTransform, ensemble);
      } else {
        config = new FlowConfig(estimator, transforms, hiddenUnits);
      }
    } catch (IllegalArgumentException e) {
      throw new IOException("the saved posterior's configuration is invalid: " + e.getMessage(), e);
    }
    ConditionalDensity density = new ConditionalDensity(config, Standardization.read(in, logit));
    try {
      density.estimator.loadParameters(density.model.getNDManager(), in);
    } catch (MalformedModelException | RuntimeException e) {
      density.close();
      throw new IOException("the saved estimator's parameters do not fit its configuration", e);
    }
    return density;
  }

  private static <E extends Enum<E>> E named(Class<E> type, String name) throws IOException {
    try {
      return Enum.valueOf(type, name);
    } catch (IllegalArgumentException e) {
      throw new IOException(
          "unknown " + type.getSimpleName() + " " + name + " in the saved posterior", e);
    }
  }

  /** A density of the same configuration and z-scoring holding {@code parameters}. */
  static ConditionalDensity withParameters(
      FlowConfig config, Standardization standardization, byte[] parameters) {
    ConditionalDensity density = new ConditionalDensity(config, standardization);
    try {
      density.loadParameters(parameters);
      return density;
    } catch (RuntimeException e) {
      density.close();
      throw e;
    }
  }

  /** An independent copy, with its own native memory. */
  ConditionalDensity copy() {
    return withParameters(config, standardization, saveParameters());
  }

  /** Replaces the estimator's parameters by ones written with {@link #saveParameters}. */
  void loadParameters(byte[] saved) {
    try {
      estimator.loadParameters(
          model.getNDManager(),
          new DataInputStream(new ByteArrayInputStream(saved)));
    } catch (IOException | MalformedModelException e) {
      throw new IllegalStateException("parameters saved in memory could not be read back", e);
    }
  }

  byte[] saveParameters() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      estimator.saveParameters(new DataOutputStream(bytes));
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory failed", e);
    }
    return bytes.toByteArray();
  }

  @Override
  public void close() {
    model.close();
  }
}
