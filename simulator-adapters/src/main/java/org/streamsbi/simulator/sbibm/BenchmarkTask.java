package org.streamsbi.simulator.sbibm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.streamsbi.core.CsvMatrix;
import org.streamsbi.core.prior.Prior;
import org.streamsbi.simulator.Simulator;

/**
 * A task of the sbibm benchmark (Lueckmann et al. 2021): prior, simulator, the ten observations
 * and their reference posteriors, exactly as the benchmark defines them. The data are sbibm's,
 * bundled with their licence (see NOTICE.md beside them).
 */
public abstract class BenchmarkTask implements Simulator {
  /** Observations per task in the benchmark. */
  public static final int OBSERVATIONS = 10;

  private final String name;
  private final Prior prior;
  private final int xDimension;

  BenchmarkTask(String name, Prior prior, int xDimension) {
    this.name = name;
    this.prior = prior;
    this.xDimension = xDimension;
  }

  /** sbibm's name of the task, e.g. {@code two_moons}. */
  public String name() {
    return name;
  }

  public Prior prior() {
    return prior;
  }

  @Override
  public int thetaDimension() {
    return prior.dimension();
  }

  @Override
  public int xDimension() {
    return xDimension;
  }

  /** x_o of observation {@code number} (1 to 10). */
  public float[] observation(int number) {
    return resourceRow(number, "observation.csv");
  }

  /** θ* that generated observation {@code number} (1 to 10). */
  public float[] trueParameters(int number) {
    return resourceRow(number, "true_parameters.csv");
  }

  /**
   * sbibm's 10,000 reference posterior samples for observation {@code number} (1 to 10), one row
   * per draw, in the order sbibm ships them.
   */
  public float[][] referencePosterior(int number) {
    String path = resourcePath(number, "reference_posterior_samples.csv.bz2");
    try (InputStream in = resource(path);
        InputStream csv = new BZip2CompressorInputStream(in)) {
      return CsvMatrix.read(csv, path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read bundled resource " + path, e);
    }
  }

  private float[] resourceRow(int number, String file) {
    String path = resourcePath(number, file);
    try (InputStream in = resource(path)) {
      float[][] rows = CsvMatrix.read(in, path);
      return Arrays.copyOf(rows[0], rows[0].length);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String resourcePath(int number, String file) {
    if (number < 1 || number > OBSERVATIONS) {
      throw new IllegalArgumentException(
          "observation must be between 1 and " + OBSERVATIONS + ", got " + number);
    }
    return "/org/streamsbi/simulator/sbibm/" + name + "/obs" + number + "/" + file;
  }

  private static InputStream resource(String path) {
    InputStream in = BenchmarkTask.class.getResourceAsStream(path);
    if (in == null) {
      throw new IllegalStateException("missing bundled resource " + path);
    }
    return in;
  }

  /** The task called {@code name}: two_moons, slcp, gaussian_linear or gaussian_mixture. */
  public static BenchmarkTask named(String name) {
    return switch (name) {
      case "two_moons" -> new TwoMoons();
      case "slcp" -> new Slcp();
      case "gaussian_linear" -> new GaussianLinear();
      case "gaussian_mixture" -> new GaussianMixture();
      default ->
          throw new IllegalArgumentException(
              "unknown task '" + name
                  + "': expected two_moons, slcp, gaussian_linear or gaussian_mixture");
    };
  }
}
