package org.streamsbi.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.streamsbi.core.CsvMatrix;
import org.streamsbi.trainer.ClassifierTwoSampleTest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code streamsbi evaluate}: the C2ST accuracy of posterior samples against a reference. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
      "Prints the classifier two-sample test (C2ST) accuracy between reference posterior samples",
      "and a method's samples, as sbibm computes it: the first 10,000 rows of each, z-scored with",
      "the reference, an MLP with two hidden layers of 10*dim units, 5-fold cross-validation.",
      "0.5 means indistinguishable, 1.0 disjoint."
    })
final class EvaluateCommand implements Callable<Integer> {
  /** sbibm compares the first 10,000 samples of each set. */
  private static final int ROWS = 10_000;

  @Spec CommandSpec spec;

  @Option(names = "--reference", required = true, description = "reference posterior samples (CSV with a header)")
  Path reference;

  @Option(names = "--samples", required = true, description = "samples to evaluate (CSV with a header)")
  Path samples;

  @Option(names = "--seed", defaultValue = "0", description = "seeds the folds and the classifier (default ${DEFAULT-VALUE})")
  long seed;

  @Override
  public Integer call() {
    float[][] ref = firstRows(CsvMatrix.read(reference), reference);
    float[][] alg = firstRows(CsvMatrix.read(samples), samples);
    if (ref[0].length != alg[0].length) {
      throw new IllegalArgumentException(
          reference + " has " + ref[0].length + " columns, " + samples + " has " + alg[0].length);
    }
    double accuracy = ClassifierTwoSampleTest.accuracy(ref, alg, seed);
    spec.commandLine().getOut().printf("C2ST accuracy: %.4f%n", accuracy);
    return 0;
  }

  private static float[][] firstRows(float[][] rows, Path file) {
    if (rows.length < 2) {
      throw new IllegalArgumentException(file + " holds " + rows.length + " rows; C2ST needs at least 2");
    }
    return Arrays.copyOf(rows, Math.min(ROWS, rows.length));
  }
}
