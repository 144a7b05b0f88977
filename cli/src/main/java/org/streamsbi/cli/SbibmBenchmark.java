package org.streamsbi.cli;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import org.streamsbi.broker.EmbeddedKafkaBroker;
import org.streamsbi.controller.Method;
import org.streamsbi.controller.OnlineNpe;
import org.streamsbi.controller.RunConfig;
import org.streamsbi.controller.RunResult;
import org.streamsbi.controller.RunSummary;
import org.streamsbi.simulator.Simulator;
import org.streamsbi.simulator.sbibm.BenchmarkTask;
import org.streamsbi.trainer.ClassifierTwoSampleTest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code streamsbi bench sbibm}: a method on an sbibm task at a budget, scored by C2ST against the
 * reference posterior of each observation, as sbibm reports it; tsnpe-async is also timed against
 * the same rounds with barriers in the same run.
 */
@Command(
    name = "sbibm",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a method on an sbibm task for each observation, draws 10,000 posterior samples and prints",
      "the C2ST accuracy against the reference posterior (mean ± sd over the observations, as sbibm",
      "reports it) and the wall time to the posterior. For tsnpe-async it also runs tsnpe (the same",
      "rounds with barriers) and prints the wall-time ratio async/barriers (target <= 0.6).",
      "Each run also prints its training steps (and how many came after the last simulation arrived),",
      "the CPU seconds of the thread that trained, and the seconds from the last simulation's arrival",
      "to the posterior (target <= 20)."
    })
final class SbibmBenchmark implements Callable<Integer> {
  private static final int POSTERIOR_SAMPLES = 10_000;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  @Spec CommandSpec spec;

  @Option(names = "--task", required = true, description = "two_moons, slcp, gaussian_linear or gaussian_mixture")
  String task;

  @Option(names = "--budget", defaultValue = "10000", description = "simulations per observation (default ${DEFAULT-VALUE})")
  int budget;

  @Option(names = "--method", defaultValue = "tsnpe", description = "npe, snpe, tsnpe or tsnpe-async (default ${DEFAULT-VALUE})")
  String method;

  @Option(names = "--observations", defaultValue = "1-10", description = "observations, as 1-10 or 1,4,7 (default ${DEFAULT-VALUE})")
  String observations;

  @Option(names = "--rounds", defaultValue = "0", description = "rounds of a sequential method; 0 for the default, 10 (default ${DEFAULT-VALUE})")
  int rounds;

  @Option(names = "--atoms", defaultValue = "0", description = "snpe: atoms of the atomic loss; 0 for the default, 10 (default ${DEFAULT-VALUE})")
  int atoms;

  @Option(names = "--refresh-steps", defaultValue = "300", description = "tsnpe-async: training steps between refreshes of the truncation region (default ${DEFAULT-VALUE})")
  int refreshSteps;

  @Option(names = "--workers", defaultValue = "1", description = "in-JVM simulation workers (default ${DEFAULT-VALUE})")
  int workers;

  @Option(names = "--simulation-ms", defaultValue = "0", description = "added cost of each simulation in milliseconds, to stand for a simulator slower than sbibm's (default ${DEFAULT-VALUE})")
  double simulationMillis;

  @Mixin BenchTrainingOptions training;

  @Option(names = "--seed", defaultValue = "0", description = "seeds runs, sampling and C2ST (default ${DEFAULT-VALUE})")
  long seed;

  @Override
  public Integer call() throws Exception {
    BenchmarkTask benchmark = BenchmarkTask.named(task);
    Method chosen = Method.parse(method);
    int[] numbers = observationNumbers(observations);
    if (!(simulationMillis >= 0)) {
      throw new IllegalArgumentException("--simulation-ms must not be negative, got " + simulationMillis);
    }
    Simulator simulator = simulationMillis == 0 ? benchmark : slowed(benchmark, simulationMillis);
    for (Method m : methods(chosen)) {
      config(m, numbers[0], "127.0.0.1:9092");
    }
    PrintWriter out = spec.commandLine().getOut();
    Path kafka = Files.createTempDirectory("streamsbi-bench-sbibm");
    List<Method> methods = methods(chosen);
    double[][] c2st = new double[methods.size()][numbers.length];
    double[][] seconds = new double[methods.size()][numbers.length];
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(kafka)) {
      out.printf("%s, %,d simulations, %s, observations %s, %d workers, %s%s%n", task, budget,
          String.join(" and ", methods.stream().map(Method::label).toList()), observations, workers,
          training.describe(budget, chosen),
          simulationMillis == 0 ? "" : String.format(", %.1f ms added per simulation", simulationMillis));
      out.flush();
      for (int i = 0; i < numbers.length; i++) {
        float[][] ref = Arrays.copyOf(benchmark.referencePosterior(numbers[i]), POSTERIOR_SAMPLES);
        for (int m = 0; m < methods.size(); m++) {
          RunConfig config = config(methods.get(m), numbers[i], broker.bootstrapServers());
          float[] observed = benchmark.observation(numbers[i]);
          long started = System.nanoTime();
          // The run trains on this thread.
          long cpuStarted = THREADS.getCurrentThreadCpuTime();
          float[][] samples;
          // As of the progress report, about once a second, that first counts the whole budget.
          long[] stepsAtArrival = {-1};
          OnlineNpe run = new OnlineNpe(benchmark.prior(), simulator).onProgress(p -> {
            if (stepsAtArrival[0] < 0 && p.samples() + p.failedProposals() >= p.simulations()) {
              stepsAtArrival[0] = p.steps();
            }
          });
          try (RunResult result = run.run(config, observed)) {
            seconds[m][i] = (System.nanoTime() - started) / 1e9;
            double trainerCpu = (THREADS.getCurrentThreadCpuTime() - cpuStarted) / 1e9;
            RunSummary.Seconds phases = result.summary().seconds();
            double afterArrival = phases.total() - phases.brokerStart() - phases.simulation();
            samples = result.posterior().sample(POSTERIOR_SAMPLES, observed, seed + numbers[i]).theta();
            c2st[m][i] = ClassifierTwoSampleTest.accuracy(ref, samples, seed);
            long steps = result.summary().trainingSteps();
            out.printf("  obs %2d  %-11s C2ST %.4f  wall time %6.1f s  (%d training steps, %d after the last arrival,"
                    + " trainer CPU %.1f s, posterior %.1f s after the last arrival%s)%n",
                numbers[i], methods.get(m).label(), c2st[m][i], seconds[m][i], steps,
                steps - Math.max(0, stepsAtArrival[0]), trainerCpu, afterArrival, regions(result));
            out.flush();
          }
        }
      }
    }
    for (int m = 0; m < methods.size(); m++) {
      out.printf("%s %s %,d: C2ST %.3f ± %.3f over %d observations, wall time %.1f ± %.1f s per observation%n",
          task, methods.get(m).label(), budget, mean(c2st[m]), sd(c2st[m]), numbers.length,
          mean(seconds[m]), sd(seconds[m]));
    }
    if (methods.size() == 2) {
      double ratio = mean(seconds[1]) / mean(seconds[0]);
      out.printf("wall time to posterior, tsnpe-async / tsnpe (barriers): %.2f (target <= 0.6)%n", ratio);
    }
    out.flush();
    return 0;
  }

  /** The method, preceded by tsnpe for tsnpe-async: its baseline with barriers. */
  private static List<Method> methods(Method chosen) {
    return chosen == Method.TSNPE_ASYNC ? List.of(Method.TSNPE, chosen) : List.of(chosen);
  }

  /** @throws IllegalArgumentException naming the field, before anything starts */
  private RunConfig config(Method method, int observation, String bootstrapServers) {
    return RunConfig.custom(task.replace('_', '-') + "-" + method.label() + "-obs" + observation
            + "-" + System.nanoTime(), budget)
        .bootstrapServers(bootstrapServers)
        .workers(workers)
        .method(method)
        .rounds(method.sequential() ? rounds : 0)
        .refreshSteps(refreshSteps)
        .atoms(atoms)
        .patience(training.patience)
        .flow(training.flow(method))
        .trainer(training.trainer(seed + observation, budget))
        .seed(seed + observation)
        .build();
  }

  /** The task's simulator, taking {@code millis} longer per simulation. */
  private static Simulator slowed(BenchmarkTask task, double millis) {
    long nanos = Math.round(millis * 1e6);
    return Simulator.of(task.thetaDimension(), task.xDimension(), (theta, seed) -> {
      LockSupport.parkNanos(nanos);
      return task.simulate(theta, seed);
    });
  }

  private static String regions(RunResult result) {
    if (result.refreshes().isEmpty()) {
      return "";
    }
    StringBuilder s = new StringBuilder(", region prior mass");
    for (RunResult.Refresh r : result.refreshes()) {
      s.append(String.format(" %.2g", r.priorMass()));
    }
    return s.toString();
  }

  /** "1-10", "3" or "1,4,7" as observation numbers within 1..10. */
  static int[] observationNumbers(String spec) {
    List<Integer> out = new ArrayList<>();
    try {
      for (String part : spec.split(",")) {
        String[] range = part.trim().split("-");
        int from = Integer.parseInt(range[0].trim());
        int to = range.length == 2 ? Integer.parseInt(range[1].trim()) : from;
        if (range.length > 2 || from < 1 || to > BenchmarkTask.OBSERVATIONS || from > to) {
          throw new NumberFormatException();
        }
        for (int n = from; n <= to; n++) {
          out.add(n);
        }
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "--observations must be numbers or ranges within 1-" + BenchmarkTask.OBSERVATIONS
              + " separated by commas, e.g. 1-10 or 1,4,7; got " + spec);
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  private static double mean(double[] v) {
    return Arrays.stream(v).average().orElse(Double.NaN);
  }

  /** Sample standard deviation, as sbibm's tables; 0 for one value. */
  private static double sd(double[] v) {
    if (v.length < 2) {
      return 0;
    }
    double m = mean(v);
    double ss = 0;
    for (double x : v) {
      ss += (x - m) * (x - m);
    }
    return Math.sqrt(ss / (v.length - 1));
  }
}
