package org.streamsbi.cli;

import java.util.Arrays;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.core.prior.Prior;
import org.streamsbi.trainer.FlowConfig;
import org.streamsbi.trainer.NpeTrainer;
import org.streamsbi.trainer.StoppingRule;
import org.streamsbi.trainer.TrainerConfig;
import org.streamsbi.trainer.TrainingResult;

/** What the benchmarks measure the same way: medians of repeats, and the time of a training step. */
final class Measurements {
  private static final int SHORT_RUN = 20;

  private Measurements() {}

  /** The median: one pass on a shared machine is noisy. */
  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /**
   * Seconds per training step, the median over {@code repeats} of the difference between a run of
   * {@code steps} and one of {@value #SHORT_RUN} steps, so that start-up and the single validation
   * at the end cancel out. A first short run loads the engine and warms up.
   */
  static double secondsPerTrainingStep(
      ReplayBuffer buffer, Prior prior, FlowConfig flow, int batch, int steps, int repeats)
      throws InterruptedException {
    if (steps <= SHORT_RUN || repeats < 1) {
      throw new IllegalArgumentException(
          "steps must exceed " + SHORT_RUN + " and repeats be positive, got " + steps + " and " + repeats);
    }
    timedTraining(buffer, prior, flow, batch, SHORT_RUN);
    double[] perStep = new double[repeats];
    for (int r = 0; r < repeats; r++) {
      double few = timedTraining(buffer, prior, flow, batch, SHORT_RUN);
      double many = timedTraining(buffer, prior, flow, batch, steps);
      perStep[r] = (many - few) / (steps - SHORT_RUN);
    }
    return median(perStep);
  }

  /** Validates once, at the last step, so that two runs differ by training steps only. */
  private static double timedTraining(ReplayBuffer buffer, Prior prior, FlowConfig flow, int batch, int steps)
      throws InterruptedException {
    NpeTrainer trainer = new NpeTrainer(flow, new TrainerConfig(batch, 5e-4, steps, 5.0, 0));
    long started = System.nanoTime();
    TrainingResult result = trainer.train(buffer, prior, StoppingRule.maxSteps(steps));
    double seconds = (System.nanoTime() - started) / 1e9;
    result.posterior().close();
    if (result.steps() != steps) {
      throw new IllegalStateException("trained " + result.steps() + " steps, expected " + steps);
    }
    return seconds;
  }
}
