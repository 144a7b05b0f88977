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
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.Callable;
import org.streamsbi.controller.OnlineNpe;
import org.streamsbi.controller.RunConfig;
import org.streamsbi.controller.RunFailedException;
import org.streamsbi.controller.RunResult;
import org.streamsbi.controller.RunSummary;
import org.streamsbi.core.CsvMatrix;
import org.streamsbi.trainer.Posterior;
import org.streamsbi.trainer.PosteriorSamples;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code streamsbi run}: one NPE run on the embedded broker or an external cluster. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Streams simulations through Kafka into a replay buffer, trains a conditional flow on it while",
      "they arrive, and writes posterior samples for the observation.",
      "Settings come from --config FILE (YAML, see examples/run.yaml); flags given here override it."
    })
final class RunCommand implements Callable<Integer> {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

  /** The trained estimator, as {@code Posterior.save} writes it; read back by {@code diagnose}. */
  static final String POSTERIOR_FILE = "posterior.bin";

  /** The field of the run file each flag sets. */
  static final Map<String, String> FIELDS =
      Map.ofEntries(
          Map.entry("--task", "task"),
          Map.entry("--observation", "observation"),
          Map.entry("--simulations", "budget.simulations"),
          Map.entry("--out", "output.directory"),
          Map.entry("--posterior-samples", "output.posterior_samples"),
          Map.entry("--workers", "simulator.workers"),
          Map.entry("--bootstrap-servers", "kafka.bootstrap_servers"),
          Map.entry("--kafka-dir", "kafka.data_directory"),
          Map.entry("--broker-outage-limit", "kafka.outage_limit_seconds"),
          Map.entry("--run", "run"),
          Map.entry("--seed", "trainer.seed"),
          Map.entry("--patience", "trainer.patience"),
          Map.entry("--batch-size", "trainer.batch_size"),
          Map.entry("--learning-rate", "trainer.learning_rate"),
          Map.entry("--lr-schedule", "trainer.learning_rate_schedule"),
          Map.entry("--weight-decay", "trainer.weight_decay"),
          Map.entry("--checkpoint-dir", "trainer.checkpoint_directory"),
          Map.entry("--checkpoint-interval", "trainer.checkpoint_interval"),
          Map.entry("--resume", "trainer.resume"),
          Map.entry("--validation-interval", "trainer.validation_interval"),
          Map.entry("--estimator", "estimator.name"),
          Map.entry("--method", "method"),
          Map.entry("--rounds", "rounds"),
          Map.entry("--atoms", "atoms"),
          Map.entry("--dashboard-host", "dashboard.host"),
          Map.entry("--dashboard-port", "dashboard.port"),
          Map.entry("--no-dashboard", "dashboard.enabled"),
          Map.entry("--embedding", "estimator.embedding"),
          Map.entry("--logit-transform", "estimator.logit_transform"),
          Map.entry("--ensemble", "estimator.ensemble"));

  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "YAML run configuration; the flags below override its values")
  Path config;

  @Option(names = "--check", description = "check the configuration, print what would run, and stop")
  boolean check;

  @Option(names = "--task", description = "sbibm task: two_moons, slcp, gaussian_linear, gaussian_mixture (prior, simulator and observations)")
  String task;

  @Option(names = "--observation", description = "which of the task's observations, 1-10 (default 1)")
  Integer observation;

  @Option(names = "--simulations", description = "simulation budget (default " + RunPlan.DEFAULT_SIMULATIONS + ")")
  Integer simulations;

  @Option(names = "--out", description = "directory for posterior_samples.csv, summary.json and posterior.bin")
  Path out;

  @Option(names = "--posterior-samples", description = "posterior draws to write (default " + RunPlan.DEFAULT_POSTERIOR_SAMPLES + ")")
  Integer posteriorSamples;

  @Option(names = "--workers", description = "in-JVM simulation workers (default 1)")
  Integer workers;

  @Option(names = "--bootstrap-servers", description = "use this Kafka cluster instead of the embedded broker")
  String bootstrapServers;

  @Option(names = "--kafka-dir", description = "data directory of the embedded broker (default OUT/kafka)")
  Path kafkaDirectory;

  @Option(names = "--broker-outage-limit", paramLabel = "SECONDS",
      description = "how long the run waits for a Kafka cluster that stopped answering before it stops (default 300)")
  Double brokerOutageLimit;

  @Option(names = "--run", description = "run name, which names its topics (default TASK-obsN-TIME)")
  String run;

  /** Read through the parse result, by each option's run-file field (FIELDS). */
  @Mixin TrainingOptions training;

  @Option(names = "--resume", description = "continue the run kept in --out from what its topics hold (samples, proposals, round) and from the checkpoint in --checkpoint-dir")
  Boolean resume;

  @Option(names = "--method", description = "npe (one round from the prior), snpe (SNPE-C: rounds from the last posterior, atomic loss, barriers), tsnpe (truncated rounds with barriers), tsnpe-async (truncated, no barriers) (default npe)")
  String method;

  @Option(names = "--rounds", description = "rounds of a sequential method (default " + RunPlan.DEFAULT_ROUNDS + ")")
  Integer rounds;

  @Option(names = "--atoms", description = "snpe: θ each row is scored against in the atomic loss, its own included (default 10, as sbi's num_atoms)")
  Integer atoms;

  @Mixin DashboardOptions dashboardOptions;

  @Option(names = "--no-dashboard", description = "serve no live dashboard and no /metrics")
  boolean noDashboard;

  @Override
  public Integer call() throws Exception {
    RunPlan plan = plan();
    RunConfig runConfig = plan.config();
    DashboardConfig dashboardConfig = plan.dashboard(dashboardOptions.token()).orElse(null);
    PrintWriter err = spec.commandLine().getErr();
    String where = runConfig.bootstrapServers().map(s -> "cluster " + s)
        .orElse("embedded broker in " + runConfig.brokerDirectory());
    String what = observations(plan.observations().size(), plan.observationIndex())
        + (plan.jobs().size() > 1 ? " (one " + runConfig.method().label() + " run each)" : "");
    RunIdentity identity = RunIdentity.of(plan);
    if (runConfig.trainer().resume()) {
      RunIdentity.read(plan.out()).ifPresent(kept -> identity.mustContinue(kept, plan.out()));
    }
    if (check) {
      spec.commandLine().getOut().printf(
          "configuration OK: run %s, prior of %d parameters, simulator %s (%d in-JVM workers),%s, %d simulations,"
              + " %s, %s estimator, %s, output %s%n",
          runConfig.run(), plan.prior().dimension(), plan.simulatorDescription(), runConfig.workers(), what,
          runConfig.simulations(), method(runConfig),
          runConfig.flow().describe(), where,
          plan.out());
      spec.commandLine().getOut().flush();
      return 0;
    }
    for (RunPlan.Job job : plan.jobs()) {
      run(plan, job, identity, dashboardConfig, err);
    }
    return 0;
  }

  private void run(RunPlan plan, RunPlan.Job job, RunIdentity identity, DashboardConfig dashboardConfig, PrintWriter err)
      throws IOException, InterruptedException {
    RunConfig runConfig = job.config();
    String where = runConfig.bootstrapServers().map(s -> "cluster " + s)
        .orElse("embedded broker in " + runConfig.brokerDirectory());
    err.printf("run %s: %s%s, %d simulations, %s, %s%n", runConfig.run(), plan.simulatorDescription(),
        observations(job.observations().size(), job.observationNumber()), runConfig.simulations(), method(runConfig),
        where);
    err.flush();
    OnlineNpe npe = new OnlineNpe(plan.prior(), plan.simulator());
    float[] target = job.observations().get(0);
    try (ProgressBars progress = ProgressBars.forTerminal(err, runConfig.simulations());
        RunDashboard dashboard = RunDashboard.start(dashboardConfig, runConfig.run(), npe, target, err);
        RunResult result = startIn(plan.out(), identity, job.out(), npe.onProgress(dashboard.alongside(progress)),
            runConfig, target)) {
      progress.close();
      long sampling = System.nanoTime();
      double acceptanceRate =
          writeSamples(result.posterior(), job.observations(), plan.posteriorSamples(), runConfig.seed(), job.out());
      double samplingSeconds = (System.nanoTime() - sampling) / 1e9;
      try (OutputStream file = Files.newOutputStream(job.out().resolve(POSTERIOR_FILE))) {
        result.posterior().save(file);
      }
      writeSummary(plan, job, result.summary(), acceptanceRate, samplingSeconds);
      RunSummary.Seconds s = result.summary().seconds();
      err.printf(
          "done in %.1f s (broker %.1f s, simulation %.1f s, training %.1f s, posterior sampling %.1f s); "
              + "trainer waited for data %.1f%% of its time; "
              + "validation loss %.4f, acceptance rate %.3f%nwrote %s, %s and %s%n",
          s.total() + samplingSeconds, s.brokerStart(), s.simulation(), s.training(), samplingSeconds,
          100 * result.summary().dataWaitShare(),
          result.summary().finalValidationLoss(), acceptanceRate,
          job.out().resolve(samplesFile(0)), job.out().resolve("summary.json"), job.out().resolve(POSTERIOR_FILE));
    } catch (RunFailedException e) {
      ObjectNode json = summary(plan, job, e.summary());
      json.put("failure", e.getMessage());
      JSON.writeValue(job.out().resolve("summary.json").toFile(), json);
      throw e;
    }
  }

  /**
   * Makes OUT, and keeps the run's identity there, only once the dashboard holds its port, so that
   * a start it refuses leaves nothing behind.
   */
  private static RunResult startIn(Path out, RunIdentity identity, Path jobOut, OnlineNpe npe, RunConfig config,
      float[] target) throws IOException, InterruptedException {
    identity.write(out);
    Files.createDirectories(jobOut);
    return npe.run(config, target);
  }

  private static String observations(int count, Integer number) {
    return count == 1 && number != null ? " observation " + number : " " + count + " observation(s)";
  }

  /**
   * The file's settings with the flags given on this command line laid over them (flags left
   * out keep the file's values), checked.
   */
  RunPlan plan() {
    return plan(spec, config, task, reader -> {});
  }

  /**
   * The flags matched on {@code spec}'s command line laid over the run file {@code config} (or
   * over {@code task}'s defaults when there is none), then {@code adjust}'s overrides, checked.
   */
  static RunPlan plan(CommandSpec spec, Path config, String task, Consumer<RunFileReader> adjust) {
    RunFileReader reader = new RunFileReader();
    for (OptionSpec option : spec.commandLine().getParseResult().matchedOptions()) {
      String field = FIELDS.get(option.longestName());
      if (field != null) {
        reader.override(field, option.longestName(), fileValue(option));
      }
    }
    adjust.accept(reader);
    if (config == null) {
      if (task == null) {
        throw new IllegalArgumentException("give --task NAME (an sbibm task) or --config FILE");
      }
      return RunPlan.of(reader.read(null), Path.of("").toAbsolutePath(), reader);
    }
    RunFile file = reader.read(config);
    try {
      return RunPlan.of(file, config.toAbsolutePath().getParent(), reader);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(config + ": " + e.getMessage(), e);
    }
  }

  /** Paths from the command line are taken from the working directory, not the file's. */
  static Object fileValue(OptionSpec option) {
    Object value = option.getValue();
    if (value instanceof Path path) {
      return path.toAbsolutePath().toString();
    }
    if (option.longestName().equals("--observation")) {
      return Map.of("task_index", value);
    }
    if (option.longestName().equals("--no-dashboard")) {
      return false;
    }
    return value;
  }

  private static String method(RunConfig config) {
    return config.method().label() + (config.rounds() > 1 ? " in " + config.rounds() + " rounds" : "");
  }

  /**
   * Writes {@code n} draws for each observation to {@link #samplesFile} in {@code out}; returns
   * the acceptance rate of the first observation's draws.
   */
  static double writeSamples(Posterior posterior, List<float[]> observations, int n, long seed, Path out)
      throws IOException {
    double acceptanceRate = Double.NaN;
    for (int i = 0; i < observations.size(); i++) {
      PosteriorSamples draws = posterior.sample(n, observations.get(i), seed);
      CsvMatrix.write(out.resolve(samplesFile(i)), "parameter", draws.theta());
      if (i == 0) {
        acceptanceRate = draws.acceptanceRate();
      }
    }
    return acceptanceRate;
  }

  /** posterior_samples.csv for the first observation, posterior_samples_K.csv for the K-th after it. */
  static String samplesFile(int observation) {
    return observation == 0 ? "posterior_samples.csv" : "posterior_samples_" + (observation + 1) + ".csv";
  }

  private static void writeSummary(RunPlan plan, RunPlan.Job job, RunSummary run, double acceptanceRate,
      double samplingSeconds) throws IOException {
    ObjectNode json = summary(plan, job, run);
    json.put("posterior_samples", plan.posteriorSamples());
    json.put("acceptance_rate", acceptanceRate);
    ObjectNode seconds = (ObjectNode) json.get("seconds");
    seconds.put("posterior_sampling", samplingSeconds);
    seconds.put("total", run.seconds().total() + samplingSeconds);
    JSON.writeValue(job.out().resolve("summary.json").toFile(), json);
  }

  /** What summary.json says of every run, finished or failed. */
  private static ObjectNode summary(RunPlan plan, RunPlan.Job job, RunSummary run) {
    ObjectNode json = JSON.valueToTree(run);
    if (plan.task() != null) {
      json.put("task", plan.task());
    }
    if (job.observationNumber() != null) {
      json.put("observation", job.observationNumber());
    }
    json.put("observations", job.observations().size());
    return json;
  }
}
