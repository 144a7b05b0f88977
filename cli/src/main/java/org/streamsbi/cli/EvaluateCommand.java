package org.streamsbi.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.streamsbi.core.CsvMatrix;
import org.streamsbi.simulator.sbibm.BenchmarkTask;
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
      "(sbibm's for --task and --observation, or your own with --reference) and a method's samples,",
      "as sbibm computes it: the same number of rows from each, the first 10,000 at most, z-scored",
      "with the reference, an MLP with two hidden layers of 10*dim units, 5-fold cross-validation.",
      "0.5 means indistinguishable, 1.0 disjoint."
    })
final class EvaluateCommand implements Callable<Integer> {
  /** sbibm compares the first 10,000 samples of each set. */
  private static final int ROWS = 10_000;

  @Spec CommandSpec spec;

  @Option(names = "--task", description = "sbibm task whose reference posterior to compare with: two_moons, slcp, gaussian_linear or gaussian_mixture")
  String task;

  @Option(names = "--observation", defaultValue = "1", description = "the task's observation, 1-10 (default ${DEFAULT-VALUE})")
  int observation;

  @Option(names = "--reference", description = "your own reference posterior samples (CSV with a header), instead of --task")
  Path reference;

  @Option(names = "--samples", required = true, description = "samples to evaluate (CSV with a header)")
  Path samples;

  @Option(names = "--seed", defaultValue = "1", description = "seeds the folds and the classifier (default ${DEFAULT-VALUE}, sbibm's)")
  long seed;

  @Override
  public Integer call() {
    float[][] ref = reference();
    float[][] alg = CsvMatrix.read(samples);
    int rows = Math.min(ROWS, Math.min(ref.length, alg.length));
    if (rows < 2) {
      throw new IllegalArgumentException(
          (alg.length < 2 ? samples : reference) + " holds " + Math.min(ref.length, alg.length)
              + " rows; C2ST needs at least 2");
    }
    if (ref[0].length != alg[0].length) {
      throw new IllegalArgumentException(
          referenceName() + " has " + ref[0].length + " columns, " + samples + " has " + alg[0].length);
    }
    // Equal classes: a classifier that always answers "reference" must not score above 0.5.
    double accuracy = ClassifierTwoSampleTest.accuracy(Arrays.copyOf(ref, rows), Arrays.copyOf(alg, rows), seed);
    spec.commandLine().getOut().printf("C2ST accuracy: %.4f (%,d samples each)%n", accuracy, rows);
    return 0;
  }

  private float[][] reference() {
    if ((task == null) == (reference == null)) {
      throw new IllegalArgumentException(
          "give either --task NAME (with --observation N) for sbibm's reference posterior, or --reference FILE");
    }
    if (reference != null) {
      return CsvMatrix.read(reference);
    }
    try {
      return BenchmarkTask.named(task).referencePosterior(observation);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException((e.getMessage().startsWith("observation") ? "--" : "--task: ") + e.getMessage());
    }
  }

  private String referenceName() {
    return reference != null ? reference.toString() : "sbibm's " + task + " observation " + observation;
  }
}
