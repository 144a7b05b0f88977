package org.streamsbi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.core.CsvMatrix;

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
}
