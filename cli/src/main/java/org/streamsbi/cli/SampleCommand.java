package org.streamsbi.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.streamsbi.core.CsvMatrix;
import org.streamsbi.simulator.sbibm.BenchmarkTask;
import org.streamsbi.trainer.Posterior;
import org.streamsbi.trainer.PosteriorSamples;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code streamsbi sample}: draws from a saved amortised posterior for many observations. */
@Command(
    name = "sample",
    mixinStandardHelpOptions = true,
    description = {
      "Draws from a posterior that 'run' or 'train' saved (posterior.bin) for every row of a CSV",
      "file of observations, without simulating or training: one CSV with a header, one observation",
      "x_o per row; a column named 'observation' (whole numbers) numbers the rows, otherwise they",
      "are numbered 1, 2, ... Writes posterior_samples_K.csv per observation K and summary.json."
    })
final class SampleCommand implements Callable<Integer> {
  /** The optional column that numbers the observations. */
  static final String INDEX_COLUMN = "observation";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Spec CommandSpec spec;

  @Option(names = "--posterior", required = true, description = "posterior.bin written by 'run' or 'train'")
  Path posteriorFile;

  @Option(names = "--observations", required = true, description = "CSV with a header, one observation per row, and optionally a column 'observation' that numbers them")
  Path observationsFile;

  @Option(names = "--samples", defaultValue = "10000", description = "draws per observation (default ${DEFAULT-VALUE})")
  int samples;

  @Option(names = "--out", required = true, description = "directory for posterior_samples_K.csv and summary.json")
  Path out;

  @Option(names = "--seed", defaultValue = "0", description = "seeds the draws, as run's --seed (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--task", description = "sbibm task whose prior the posterior was trained under; only for files saved before posterior.bin recorded its prior")
  String task;

  @Override
  public Integer call() throws IOException {
    if (samples < 1) {
      throw new IllegalArgumentException("--samples must be at least 1, got " + samples);
    }
    OutputDirectory.check(out);
    Observations observations = read(observationsFile);
    try (Posterior posterior = PosteriorFile.load(posteriorFile, task == null ? null : task(task).prior(), task + "'s", "--posterior")) {
      for (int i = 0; i < observations.x().length; i++) {
        if (observations.x()[i].length != posterior.xDimension()) {
          throw new IllegalArgumentException(
              "--observations: " + observationsFile + " has observations of " + observations.x()[i].length
                  + " values (line " + (i + 2) + "), but " + posteriorFile + " was trained on x of "
                  + posterior.xDimension());
        }
      }
      Files.createDirectories(out);
      long start = System.nanoTime();
      ObjectNode summary = JSON.createObjectNode();
      summary.put("posterior", posteriorFile.toString());
      summary.put("posterior_samples", samples);
      summary.put("seed", seed);
      ArrayNode rows = summary.putArray("observations");
      for (int i = 0; i < observations.x().length; i++) {
        PosteriorSamples draws = posterior.sample(samples, observations.x()[i], seed);
        String file = "posterior_samples_" + observations.index()[i] + ".csv";
        CsvMatrix.write(out.resolve(file), "parameter", draws.theta());
        rows.addObject()
            .put("observation", observations.index()[i])
            .put("file", file)
            .put("acceptance_rate", draws.acceptanceRate());
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      summary.put("seconds", seconds);
      JSON.writeValue(out.resolve("summary.json").toFile(), summary);
      spec.commandLine().getErr().printf("drew %,d samples for each of %d observations in %.1f s; wrote %s%n",
          samples, observations.x().length, seconds, out);
    }
    return 0;
  }

  private static BenchmarkTask task(String name) {
    try {
      return BenchmarkTask.named(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--task: " + e.getMessage(), e);
    }
  }

  /** The observations in file order and the number each is written under. */
  record Observations(long[] index, float[][] x) {}

  /**
   * @throws IllegalArgumentException naming the file and line of a row that is short, long, not
   *     numeric, not finite, or repeats an observation number
   */
  static Observations read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--observations: no such file " + file);
    }
    List<String> header;
    try (BufferedReader reader = Files.newBufferedReader(file)) {
      String line = reader.readLine();
      header = line == null ? List.of() : Arrays.stream(line.split(",", -1)).map(String::trim).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    float[][] rows;
    try {
      rows = CsvMatrix.read(file);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--observations: " + e.getMessage(), e);
    }
    if (rows.length == 0) {
      throw new IllegalArgumentException("--observations: " + file + " has a header but no rows");
    }
    int indexColumn = header.indexOf(INDEX_COLUMN);
    if (indexColumn >= 0 && header.size() == 1) {
      throw new IllegalArgumentException("--observations: " + file + " has only the column '" + INDEX_COLUMN + "': no values of x");
    }
    long[] index = new long[rows.length];
    float[][] x = new float[rows.length][];
    Set<Long> seen = new HashSet<>();
    for (int r = 0; r < rows.length; r++) {
      float[] row = rows[r];
      int line = r + 2;
      if (indexColumn >= 0) {
        float value = row[indexColumn];
        if (value != Math.rint(value) || value < 0) {
          throw new IllegalArgumentException("--observations: " + file + " line " + line + ": '" + INDEX_COLUMN
              + "' must be a whole number of at least 0, got " + value);
        }
        index[r] = (long) value;
        float[] values = new float[row.length - 1];
        System.arraycopy(row, 0, values, 0, indexColumn);
        System.arraycopy(row, indexColumn + 1, values, indexColumn, row.length - indexColumn - 1);
        x[r] = values;
      } else {
        index[r] = r + 1;
        x[r] = row;
      }
      if (!seen.add(index[r])) {
        throw new IllegalArgumentException("--observations: " + file + " line " + line + ": observation " + index[r]
            + " appears twice");
      }
      for (float v : x[r]) {
        if (!Float.isFinite(v)) {
          throw new IllegalArgumentException("--observations: " + file + " line " + line + " holds " + v
              + "; an observation must be finite");
        }
      }
    }
    return new Observations(index, x);
  }
}
