package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our C2ST against scikit-learn's, computed by sbibm's own recipe (src/test/resources/
 * sbibm_c2st.py, run by Debian's python3-sklearn, which the build installs) on fixed pairs of
 * sample sets in 2, 5 and 10 dimensions whose C2ST lies near 0.55, 0.7 and 0.95.
 *
 * <p>Both sides use seed 1, sbibm's default. scikit-learn's C2ST alone moves by an sd of
 * 0.006–0.013 across seeds at these sizes (measured on 1,000 + 1,000 rows in 2-d, seeds 1–6),
 * more than the 0.005 allowed here, but the seed is not noise between the two: ours draws the same
 * folds, initial weights and batch orders from numpy's RandomState, so only float32 rounding
 * differs, and on these pairs the two agree within 0.0025. Rounding does matter where the MLP
 * trains for over a thousand epochs (it overfits small noisy sets such as two moons of 500 rows):
 * there the two drift apart like two seeds, so the pairs here are ones that train for fewer. A
 * changed Adam step moves a pair by more than 0.005; departures too small for that (stopping one
 * epoch early, no L2 term in the gradient) are caught by {@link #fitsAsScikitLearnDoes}.
 */
class ScikitLearnC2stTest {
  /** Debian's interpreter, where python3-sklearn is importable (a PATH python3 may lack it). */
  private static final String PYTHON = "/usr/bin/python3";
  private static final long SEED = 1;
  private static final double TOLERANCE = 0.005;

  private record Pair(String name, double near, float[][] reference, float[][] samples) {}

  /** Minutes on a loaded machine, where scikit-learn gets a share of a core. */
  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void matchesScikitLearnOnEveryPair(@TempDir Path dir) throws Exception {
    List<Pair> pairs = pairs();
    Path script = copy("/sbibm_c2st.py", dir);
    List<String> command = new ArrayList<>(List.of(PYTHON, script.toString(), Long.toString(SEED)));
    for (Pair pair : pairs) {
      command.add(write(dir.resolve(pair.name() + "-reference.csv"), pair.reference()).toString());
      command.add(write(dir.resolve(pair.name() + "-samples.csv"), pair.samples()).toString());
    }
    // scikit-learn works on its share while the JVM computes ours.
    CompletableFuture<String[]> scikitLearn =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return run(command, dir);
              } catch (Exception e) {
                throw new CompletionException(e);
              }
            });
    double[] ours = new double[pairs.size()];
    for (int i = 0; i < pairs.size(); i++) {
      ours[i] = ClassifierTwoSampleTest.accuracy(pairs.get(i).reference(), pairs.get(i).samples(), SEED);
    }
    String[] lines = scikitLearn.join();
    assertEquals(pairs.size(), lines.length, String.join("\n", lines));
    StringBuilder table = new StringBuilder("pair, ours, scikit-learn's:");
    boolean agree = true;
    for (int i = 0; i < pairs.size(); i++) {
      double theirs = Double.parseDouble(lines[i].strip());
      table.append(String.format("%n  %-22s %.4f %.4f", pairs.get(i).name(), ours[i], theirs));
      agree &= Math.abs(ours[i] - theirs) <= TOLERANCE;
      assertTrue(
          Math.abs(theirs - pairs.get(i).near()) < 0.05,
          pairs.get(i).name() + " is meant to lie near " + pairs.get(i).near() + ", sklearn gives " + theirs);
    }
    System.out.println(table);
    assertTrue(agree, table::toString);
  }

  /**
   * One classifier fitted on each side to the same small 2-d set: a training of a few hundred
   * epochs follows scikit-learn's trajectory to float32 rounding, so the epochs trained must be
   * equal and the last epoch's loss equal to 1e-5. This catches departures too small to move a C2ST
   * beyond its tolerance, such as stopping one epoch early. (Trainings of a thousand epochs and
   * more drift apart by a few epochs and 1e-5 in the loss: only their C2ST is compared.)
   */
  @Test
  void fitsAsScikitLearnDoes(@TempDir Path dir) throws Exception {
    List<Pair> sets =
        List.of(
            new Pair("gaussians-2d", 0, gaussians(300, 2, 0, new SplittableRandom(5)), gaussians(300, 2, 1, new SplittableRandom(6))),
            new Pair("gaussians-2d-apart", 0, gaussians(300, 2, 0, new SplittableRandom(7)), gaussians(300, 2, 3, new SplittableRandom(8))));
    copy("/sbibm_c2st.py", dir);
    Path script = copy("/sklearn_mlp_fit.py", dir);
    List<String> command = new ArrayList<>(List.of(PYTHON, script.toString(), Long.toString(SEED)));
    List<MlpClassifier> ours = new ArrayList<>();
    for (Pair set : sets) {
      int dim = set.reference()[0].length;
      int rows = set.reference().length + set.samples().length;
      float[][] labelled = new float[rows][];
      float[] x = new float[rows * dim];
      boolean[] y = new boolean[rows];
      for (int r = 0; r < rows; r++) {
        float[] row = r < set.reference().length ? set.reference()[r] : set.samples()[r - set.reference().length];
        y[r] = r >= set.reference().length;
        labelled[r] = Arrays.copyOf(row, dim + 1);
        labelled[r][dim] = y[r] ? 1 : 0;
        System.arraycopy(row, 0, x, r * dim, dim);
      }
      command.add(write(dir.resolve(set.name() + ".csv"), labelled).toString());
      ours.add(MlpClassifier.fit(x, y, dim, SEED));
    }
    String[] lines = run(command, dir);
    assertEquals(sets.size(), lines.length, String.join("\n", lines));
    StringBuilder table = new StringBuilder("set, our epochs and loss, scikit-learn's:");
    boolean same = true;
    for (int i = 0; i < sets.size(); i++) {
      String[] fields = lines[i].strip().split(" ");
      table.append(String.format("%n  %-20s %d %.7f %s", sets.get(i).name(), ours.get(i).epochs(), ours.get(i).loss(), lines[i]));
      same &= Integer.parseInt(fields[0]) == ours.get(i).epochs()
          && Math.abs(Double.parseDouble(fields[1]) - ours.get(i).loss()) <= 1e-5;
    }
    System.out.println(table);
    assertTrue(same, table::toString);
  }

  private static Path copy(String resource, Path dir) throws IOException {
    Path script = dir.resolve(resource.substring(1));
    try (InputStream in = ScikitLearnC2stTest.class.getResourceAsStream(resource)) {
      Files.copy(in, script);
    }
    return script;
  }

  /** Runs a script to its end; returns its output's lines. */
  private static String[] run(List<String> command, Path dir) throws Exception {
    Path errors = dir.resolve("stderr.txt");
    Process python = new ProcessBuilder(command).redirectError(errors.toFile()).start();
    String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(python.waitFor(10, TimeUnit.MINUTES), command.get(1) + " did not finish");
    assertEquals(0, python.exitValue(), () -> command.get(1) + " failed: " + read(errors));
    return output.strip().split("\n");
  }

  private static List<Pair> pairs() {
    SplittableRandom rng = new SplittableRandom(17);
    return List.of(
        new Pair("gaussians-2d-shifted", 0.55, gaussians(1000, 2, 0, rng), gaussians(1000, 2, 0.25, rng)),
        new Pair("gaussians-2d-shift-1", 0.7, gaussians(1000, 2, 0, rng), gaussians(1000, 2, 1.05, rng)),
        new Pair("gaussians-2d-apart", 0.95, gaussians(500, 2, 0, rng), gaussians(500, 2, 3.3, rng)),
        new Pair("gaussians-5d-apart", 0.95, gaussians(200, 5, 0, rng), gaussians(200, 5, 3.3, rng)),
        new Pair("gaussians-10d-shifted", 0.7, gaussians(200, 10, 0, rng), gaussians(200, 10, 1.3, rng)),
        new Pair("gaussians-10d-apart", 0.95, gaussians(200, 10, 0, rng), gaussians(200, 10, 3.3, rng)));
  }

  /** N(μ, I) with μ of length {@code shift} along the diagonal. */
  private static float[][] gaussians(int rows, int dim, double shift, SplittableRandom rng) {
    float[][] values = new float[rows][dim];
    for (float[] row : values) {
      for (int c = 0; c < dim; c++) {
        row[c] = (float) (shift / Math.sqrt(dim) + rng.nextGaussian());
      }
    }
    return values;
  }

  /** Each float as the double it equals, so that numpy reads back the same float32. */
  private static Path write(Path file, float[][] rows) throws IOException {
    StringBuilder csv = new StringBuilder();
    for (float[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        csv.append(c == 0 ? "" : ",").append((double) row[c]);
      }
      csv.append('\n');
    }
    return Files.writeString(file, csv);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(no stderr: " + e + ")";
    }
  }
}
