package org.streamsbi.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.streamsbi.controller.Method;
import org.streamsbi.controller.OnlineNpe;
import org.streamsbi.controller.RunConfig;
import org.streamsbi.controller.RunProgress;
import org.streamsbi.controller.RunResult;
import org.streamsbi.controller.RunSummary;
import org.streamsbi.core.CsvMatrix;
import org.streamsbi.simulator.sbibm.BenchmarkTask;
import org.streamsbi.trainer.Estimator;
import org.streamsbi.trainer.FlowConfig;
import org.streamsbi.trainer.PosteriorSamples;
import org.streamsbi.trainer.TrainerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code streamsbi run}: one NPE run on the embedded broker or an external cluster. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Streams simulations through Kafka into a replay buffer, trains a conditional flow on it while",
      "they arrive, and writes posterior samples for the observation."
    })
final class RunCommand implements Callable<Integer> {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

  /** The trained estimator, as {@code Posterior.save} writes it; read back by {@code diagnose}. */
  static final String POSTERIOR_FILE = "posterior.bin";

  @Spec CommandSpec spec;

  @Option(names = "--task", required = true, description = "sbibm task: two_moons, slcp, gaussian_linear, gaussian_mixture")
  String task;

  @Option(names = "--observation", defaultValue = "1", description = "which of the task's observations, 1-10 (default ${DEFAULT-VALUE})")
  int observation;

  @Option(names = "--simulations", defaultValue = "10000", description = "simulation budget (default ${DEFAULT-VALUE})")
  int simulations;

  @Option(names = "--out", required = true, description = "directory for posterior_samples.csv, summary.json and posterior.bin")
  Path out;

  @Option(names = "--posterior-samples", defaultValue = "10000", description = "posterior draws to write (default ${DEFAULT-VALUE})")
  int posteriorSamples;

  @Option(names = "--workers", defaultValue = "1", description = "in-JVM simulation workers (default ${DEFAULT-VALUE})")
  int workers;

  @Option(names = "--bootstrap-servers", description = "use this Kafka cluster instead of the embedded broker")
  String bootstrapServers;

  @Option(names = "--kafka-dir", description = "data directory of the embedded broker (default OUT/kafka)")
  Path kafkaDirectory;

  @Option(names = "--run", description = "run name, which names its topics (default TASK-obsN-TIME)")
  String run;

  @Option(names = "--seed", defaultValue = "0", description = "seeds proposals, training and sampling (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--patience", defaultValue = "20", description = "validations without improvement before training stops, once all simulations arrived (default ${DEFAULT-VALUE})")
  int patience;

  @Option(names = "--batch-size", defaultValue = "256", description = "training minibatch (default ${DEFAULT-VALUE})")
  int batchSize;

  @Option(names = "--learning-rate", defaultValue = "5e-4", description = "Adam step size (default ${DEFAULT-VALUE})")
  double learningRate;

  @Option(names = "--validation-interval", defaultValue = "0", description = "training steps between validations; 0 for one epoch of the training split (default ${DEFAULT-VALUE})")
  int validationInterval;

  @Option(names = "--estimator", defaultValue = "maf", description = "density estimator: maf or nsf, as sbi's (default ${DEFAULT-VALUE})")
  String estimator;

  @Option(names = "--method", defaultValue = "npe", description = "npe (one round from the prior), tsnpe (truncated rounds with barriers), tsnpe-async (truncated, no barriers); snpe is not available yet (default ${DEFAULT-VALUE})")
  String method;

  @Option(names = "--rounds", defaultValue = "0", description = "rounds of a sequential method; 0 for the default, 10 (default ${DEFAULT-VALUE})")
  int rounds;

  @Override
  public Integer call() throws Exception {
    BenchmarkTask benchmark = BenchmarkTask.named(task);
    Method chosen = Method.parse(method);
    Estimator family;
    try {
      family = Estimator.valueOf(estimator.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--estimator must be maf or nsf, got " + estimator);
    }
    float[] observed = benchmark.observation(observation);
    if (posteriorSamples < 1) {
      throw new IllegalArgumentException("--posterior-samples must be at least 1, got " + posteriorSamples);
    }
    String name = run != null ? run
        : task.replace('_', '-') + "-obs" + observation + "-"
            + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    TrainerConfig defaults = TrainerConfig.defaults();
    RunConfig.Builder builder =
        RunConfig.custom(name, simulations)
            .workers(workers)
            .brokerDirectory(kafkaDirectory != null ? kafkaDirectory : out.resolve("kafka"))
            .patience(patience)
            .flow(FlowConfig.defaults(family))
            .trainer(new TrainerConfig(batchSize, learningRate, validationInterval, defaults.clipMaxNorm(), seed))
            .seed(seed)
            .method(chosen)
            .rounds(rounds);
    if (bootstrapServers != null) {
      builder.bootstrapServers(bootstrapServers);
    }
    RunConfig config = builder.build();
    Files.createDirectories(out);

    PrintWriter err = spec.commandLine().getErr();
    err.printf("run %s: %s observation %d, %d simulations, %s, %s%n", name, task, observation, simulations, chosen.label(),
        bootstrapServers != null ? "cluster " + bootstrapServers : "embedded broker in " + config.brokerDirectory());
    ProgressLine progress = new ProgressLine(err);
    try (RunResult result = new OnlineNpe(benchmark.prior(), benchmark).onProgress(progress::show).run(config, observed)) {
      long sampling = System.nanoTime();
      PosteriorSamples draws = result.posterior().sample(posteriorSamples, observed, seed);
      double samplingSeconds = (System.nanoTime() - sampling) / 1e9;
      CsvMatrix.write(out.resolve("posterior_samples.csv"), "parameter", draws.theta());
      try (OutputStream file = Files.newOutputStream(out.resolve(POSTERIOR_FILE))) {
        result.posterior().save(file);
      }
      writeSummary(result.summary(), draws.acceptanceRate(), samplingSeconds);
      RunSummary.Seconds s = result.summary().seconds();
      err.printf(
          "done in %.1f s (broker %.1f s, simulation %.1f s, training %.1f s, posterior sampling %.1f s); "
              + "validation loss %.4f, acceptance rate %.3f%nwrote %s, %s and %s%n",
          s.total() + samplingSeconds, s.brokerStart(), s.simulation(), s.training(), samplingSeconds,
          result.summary().finalValidationLoss(), draws.acceptanceRate(),
          out.resolve("posterior_samples.csv"), out.resolve("summary.json"), out.resolve(POSTERIOR_FILE));
    }
    return 0;
  }

  private void writeSummary(RunSummary run, double acceptanceRate, double samplingSeconds) throws IOException {
    ObjectNode json = JSON.valueToTree(run);
    json.put("task", task);
    json.put("observation", observation);
    json.put("posterior_samples", posteriorSamples);
    json.put("acceptance_rate", acceptanceRate);
    ObjectNode seconds = (ObjectNode) json.get("seconds");
    seconds.put("posterior_sampling", samplingSeconds);
    seconds.put("total", run.seconds().total() + samplingSeconds);
    JSON.writeValue(out.resolve("summary.json").toFile(), json);
  }

  /** Prints the run's progress as a line every two seconds. */
  private static final class ProgressLine {
    private final PrintWriter err;
    private double lastPrinted = -2;

    ProgressLine(PrintWriter err) {
      this.err = err;
    }

    void show(RunProgress p) {
      if (p.phase() != RunProgress.Phase.DONE && p.elapsedSeconds() - lastPrinted < 2) {
        return;
      }
      lastPrinted = p.elapsedSeconds();
      err.printf(
          "[%6.1fs] %-10s simulations %d/%d (failed %d)  buffer %d+%d  steps %d  loss %.3f  validation %.3f (best %.3f)%n",
          p.elapsedSeconds(), p.phase(), p.samples(), p.simulations(), p.failedProposals(),
          p.trainingSamples(), p.validationSamples(), p.steps(), p.trainingLoss(), p.validationLoss(),
          p.bestValidationLoss());
      err.flush();
    }
  }
}
