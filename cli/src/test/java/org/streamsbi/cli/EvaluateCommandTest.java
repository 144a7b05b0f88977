package org.streamsbi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.core.CsvMatrix;
import org.streamsbi.simulator.sbibm.BenchmarkTask;

class EvaluateCommandTest {

  @TempDir Path dir;

  private Path gaussian(String name, int rows, int columns, double shift, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[][] data = new float[rows][columns];
    for (float[] row : data) {
      for (int j = 0; j < columns; j++) {
        row[j] = (float) (shift + rng.nextGaussian());
      }
    }
    Path file = dir.resolve(name);
    CsvMatrix.write(file, "parameter", data);
    return file;
  }

  private static double accuracy(RunCommandTest.Outcome o) {
    Matcher m = Pattern.compile("C2ST accuracy: ([0-9.]+)").matcher(o.out());
    assertTrue(m.find(), o.out() + o.err());
    return Double.parseDouble(m.group(1));
  }

  @Test
  void separatesDifferentSamplesAndNotEqualOnes() {
    Path reference = gaussian("ref.csv", 600, 2, 0, 1);
    Path same = gaussian("same.csv", 600, 2, 0, 2);
    Path shifted = gaussian("shifted.csv", 600, 2, 3, 3);
    RunCommandTest.Outcome sameOutcome = RunCommandTest.execute("evaluate", "--reference", reference.toString(), "--samples", same.toString());
    assertEquals(0, sameOutcome.exitCode(), sameOutcome.err());
    assertTrue(accuracy(sameOutcome) < 0.6, sameOutcome.out());
    RunCommandTest.Outcome apart = RunCommandTest.execute("evaluate", "--reference", reference.toString(), "--samples", shifted.toString());
    assertTrue(accuracy(apart) > 0.9, apart.out());
  }

  @Test
  void refusesSamplesOfAnotherWidth() {
    Path reference = gaussian("ref.csv", 50, 2, 0, 1);
    Path wide = gaussian("wide.csv", 50, 3, 0, 2);
    RunCommandTest.Outcome o = RunCommandTest.execute("evaluate", "--reference", reference.toString(), "--samples", wide.toString());
    assertEquals(2, o.exitCode());
    assertTrue(o.err().contains("has 2 columns") && o.err().contains("has 3"), o.err());
  }

  @Test
  void findsSbibmsReferenceForATaskAndObservation() {
    float[][] reference = BenchmarkTask.named("two_moons").referencePosterior(1);
    Path alike = dir.resolve("alike.csv");
    CsvMatrix.write(alike, "parameter", Arrays.copyOfRange(reference, 9_400, 10_000));
    Path prior = dir.resolve("prior.csv");
    SplittableRandom rng = new SplittableRandom(4);
    float[][] draws = new float[600][];
    for (int i = 0; i < draws.length; i++) {
      draws[i] = BenchmarkTask.named("two_moons").prior().sample(rng);
    }
    CsvMatrix.write(prior, "parameter", draws);

    RunCommandTest.Outcome same = RunCommandTest.execute("evaluate", "--task", "two_moons", "--observation", "1", "--samples", alike.toString());
    assertEquals(0, same.exitCode(), same.err());
    assertTrue(same.out().contains("600 samples each"), same.out());
    assertTrue(accuracy(same) < 0.6, same.out());
    RunCommandTest.Outcome apart = RunCommandTest.execute("evaluate", "--task", "two_moons", "--samples", prior.toString());
    assertTrue(accuracy(apart) > 0.9, apart.out());
  }

  @Test
  void wantsEitherATaskOrAReferenceFile() {
    Path samples = gaussian("samples.csv", 50, 2, 0, 1);
    for (String[] args : new String[][] {
        {"evaluate", "--samples", samples.toString()},
        {"evaluate", "--task", "two_moons", "--reference", samples.toString(), "--samples", samples.toString()}}) {
      RunCommandTest.Outcome o = RunCommandTest.execute(args);
      assertEquals(2, o.exitCode(), o.err());
      assertTrue(o.err().contains("give either --task NAME") && o.err().lines().count() == 1, o.err());
    }
    RunCommandTest.Outcome o = RunCommandTest.execute("evaluate", "--task", "two_moons", "--observation", "11", "--samples", samples.toString());
    assertEquals(2, o.exitCode(), o.err());
    assertTrue(o.err().contains("--observation must be between 1 and 10"), o.err());
  }
}
