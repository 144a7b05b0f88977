package org.streamsbi.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.buffer.ReplayBufferConfig;
import org.streamsbi.core.Sample;
import org.streamsbi.simulator.sbibm.BenchmarkTask;
import org.streamsbi.trainer.Estimator;
import org.streamsbi.trainer.FlowConfig;
import org.streamsbi.trainer.NpeTrainer;
import org.streamsbi.trainer.StoppingRule;
import org.streamsbi.trainer.TrainerConfig;
import org.streamsbi.trainer.TrainingResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code streamsbi bench trainer}: training throughput of each estimator on sbibm task sizes, as a
 * ratio to sbi's. Each figure is the median over repeats of the time difference between a long
 * and a short training, so start-up and the one validation at the end cancel out.
 */
@Command(
    name = "trainer",
    mixinStandardHelpOptions = true,
    description = {
      "Training samples/s of the MAF and NSF estimators at batch 256 on two_moons (θ 2, x 2) and",
      "slcp (θ 5, x 8) sizes, each as a ratio to sbi's 8,400 samples/s (target >= 5x)."
    })
final class TrainerBenchmark implements Callable<Integer> {
  /** sbi's NPE training throughput at batch 256 on CPU, the figure issue 5 measures against. */
  private static final double SBI_SAMPLES_PER_SECOND = 8_400;
  private static final int BATCH = 256;
  private static final int BUFFERED = 20_000;
  private static final int SHORT_RUN = 20;

  @Spec CommandSpec spec;

  @Option(names = "--steps", defaultValue = "300", description = "training steps of the long timed run (default ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--repeats", defaultValue = "3", description = "timed pairs per figure (default ${DEFAULT-VALUE})")
  int repeats;

  @Override
  public Integer call() throws Exception {
    if (steps <= SHORT_RUN || repeats < 1) {
      throw new IllegalArgumentException(
          "--steps must exceed " + SHORT_RUN + " and --repeats be positive");
    }
    PrintWriter out = spec.commandLine().getOut();
    for (String name : new String[] {"two_moons", "slcp"}) {
      BenchmarkTask task = BenchmarkTask.named(name);
      try (ReplayBuffer buffer = simulated(task)) {
        for (Estimator estimator : Estimator.values()) {
          double[] stepSeconds = new double[repeats];
          for (int r = 0; r < repeats; r++) {
            double few = timedTraining(buffer, task, estimator, SHORT_RUN);
            double many = timedTraining(buffer, task, estimator, steps);
            stepSeconds[r] = (many - few) / (steps - SHORT_RUN);
          }
          Arrays.sort(stepSeconds);
          double samplesPerSecond = BATCH / stepSeconds[repeats / 2];
          out.printf(
              "%-9s (θ %d, x %d) %s: %,8.0f training samples/s, %.2f ms/step, %.2fx sbi's %,.0f"
                  + " (target >= 5x)%n",
              name, task.thetaDimension(), task.xDimension(), estimator, samplesPerSecond,
              1e3 * stepSeconds[repeats / 2], samplesPerSecond / SBI_SAMPLES_PER_SECOND,
              SBI_SAMPLES_PER_SECOND);
          out.flush();
        }
      }
    }
    return 0;
  }

  private static ReplayBuffer simulated(BenchmarkTask task) {
    ReplayBuffer buffer =
        new ReplayBuffer(
            new ReplayBufferConfig(BUFFERED, BUFFERED / 2, 0.05),
            task.thetaDimension(),
            task.xDimension());
    SplittableRandom rng = new SplittableRandom(1);
    for (int i = 0; i < BUFFERED; i++) {
      float[] theta = task.prior().sample(rng);
      String id = "bench" + i;
      buffer.insert(new Sample(id, "bench", 1, id, i, theta, task.simulate(theta, i), "bench", 0));
    }
    return buffer;
  }

  /** Validates once, at the last step, so that two runs differ by training steps only. */
  private static double timedTraining(
      ReplayBuffer buffer, BenchmarkTask task, Estimator estimator, int steps)
      throws InterruptedException {
    NpeTrainer trainer =
        new NpeTrainer(
            FlowConfig.defaults(estimator), new TrainerConfig(BATCH, 5e-4, steps, 5.0, 0));
    long started = System.nanoTime();
    TrainingResult result = trainer.train(buffer, task.prior(), StoppingRule.maxSteps(steps));
    double seconds = (System.nanoTime() - started) / 1e9;
    result.posterior().close();
    if (result.steps() != steps) {
      throw new IllegalStateException("trained " + result.steps() + " steps, expected " + steps);
    }
    return seconds;
  }
}
