package org.streamsbi.cli;

import java.io.PrintWriter;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.buffer.ReplayBufferConfig;
import org.streamsbi.core.Sample;
import org.streamsbi.simulator.sbibm.BenchmarkTask;
import org.streamsbi.trainer.Estimator;
import org.streamsbi.trainer.FlowConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code streamsbi bench trainer}: training throughput of each estimator on sbibm task sizes, as a
 * ratio to sbi's, timed as {@link Measurements#secondsPerTrainingStep} does.
 */
@Command(
    name = "trainer",
    mixinStandardHelpOptions = true,
    description = {
      "Training samples/s of the MAF, NSF and MDN estimators at batch 256 on two_moons (θ 2, x 2) and",
      "slcp (θ 5, x 8) sizes, each as a ratio to sbi's 8,400 samples/s (target >= 5x)."
    })
final class TrainerBenchmark implements Callable<Integer> {
  /** sbi's NPE training throughput at batch 256 on CPU, the figure issue 5 measures against. */
  private static final double SBI_SAMPLES_PER_SECOND = 8_400;
  private static final int BATCH = 256;
  private static final int BUFFERED = 20_000;

  @Spec CommandSpec spec;

  @Option(names = "--steps", defaultValue = "300", description = "training steps of the long timed run (default ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--repeats", defaultValue = "3", description = "timed pairs per figure (default ${DEFAULT-VALUE})")
  int repeats;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    for (String name : new String[] {"two_moons", "slcp"}) {
      BenchmarkTask task = BenchmarkTask.named(name);
      try (ReplayBuffer buffer = simulated(task)) {
        for (Estimator estimator : Estimator.values()) {
          double stepSeconds =
              Measurements.secondsPerTrainingStep(
                  buffer, task.prior(), FlowConfig.defaults(estimator), BATCH, steps, repeats);
          double samplesPerSecond = BATCH / stepSeconds;
          out.printf(
              "%-9s (θ %d, x %d) %s: %,8.0f training samples/s, %.2f ms/step, %.2fx sbi's %,.0f"
                  + " (target >= 5x)%n",
              name, task.thetaDimension(), task.xDimension(), estimator, samplesPerSecond,
              1e3 * stepSeconds, samplesPerSecond / SBI_SAMPLES_PER_SECOND,
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

}
