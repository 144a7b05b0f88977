package org.streamsbi.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.streamsbi.broker.EmbeddedKafkaBroker;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.buffer.InsertOutcome;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.controller.RunConfig;
import org.streamsbi.core.Sample;
import org.streamsbi.trainer.NpeTrainer;
import org.streamsbi.trainer.Posterior;
import org.streamsbi.trainer.StoppingRule;
import org.streamsbi.trainer.TrainingProgress;
import org.streamsbi.trainer.TrainingResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code streamsbi train}: NPE on simulations that exist already, from a run's samples topic or
 * from files, with no simulator started. The prior, estimator and trainer settings are read as
 * {@code run} reads them ({@link RunPlan}), and it writes what {@code run} writes.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Trains a posterior estimator with the NPE loss on simulations that exist already, without",
      "simulating: the samples topic of an earlier run (--from-run, with --kafka-dir or",
      "--bootstrap-servers), two CSV files (--theta and --x, sbibm's layout), or an Arrow IPC file",
      "(--arrow). The prior comes from --task or the run file's prior section; the estimator and",
      "trainer settings are run's. Writes posterior.bin, posterior_samples.csv and summary.json."
    })
final class TrainCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final long REPORT_NANOS = 2_000_000_000L;

  @Spec CommandSpec spec;

  @Option(names = "--from-run", paramLabel = "NAME", description = "train on the samples topic of this run (its name, as run printed it)")
  String fromRun;

  @Option(names = "--theta", paramLabel = "CSV", description = "θ, one row per simulation, with a header (parameter_1,...); with --x")
  Path thetaFile;

  @Option(names = "--x", paramLabel = "CSV", description = "x, row i simulated at row i of --theta, with a header (data_1,...)")
  Path xFile;

  @Option(names = "--arrow", paramLabel = "FILE", description = "θ and x in one Arrow IPC file or stream: float columns parameter_1,... and data_1,..., or fixed-size list columns theta and x")
  Path arrowFile;

  @Option(names = "--config", paramLabel = "FILE", description = "the run file (YAML): its prior, observation, estimator, trainer and kafka sections are used, its simulator is not started")
  Path config;

  @Option(names = "--task", description = "sbibm task whose prior, x width and observations to use: two_moons, slcp, gaussian_linear, gaussian_mixture")
  String task;

  @Option(names = "--observation", description = "which of the task's observations to draw posterior samples for, 1-10 (default 1)")
  Integer observation;

  @Option(names = "--out", description = "directory for posterior.bin, posterior_samples.csv and summary.json")
  Path out;

  @Option(names = "--posterior-samples", description = "posterior draws to write (default " + RunPlan.DEFAULT_POSTERIOR_SAMPLES + ")")
  Integer posteriorSamples;

  @Option(names = "--bootstrap-servers", description = "the Kafka cluster that holds the run's topics")
  String bootstrapServers;

  @Option(names = "--kafka-dir", description = "the embedded broker's data directory of the run (its OUT/kafka)")
  Path kafkaDirectory;

  @Mixin TrainingOptions training;

  @Override
  public Integer call() throws IOException, InterruptedException {
    int sources = (fromRun != null ? 1 : 0) + (thetaFile != null || xFile != null ? 1 : 0) + (arrowFile != null ? 1 : 0);
    if (sources != 1) {
      throw new IllegalArgumentException("give exactly one source of samples: --from-run NAME, --theta CSV with --x CSV, or --arrow FILE");
    }
    if ((thetaFile == null) != (xFile == null)) {
      throw new IllegalArgumentException(thetaFile == null ? "--x needs --theta" : "--theta needs --x");
    }
    PrintWriter err = spec.commandLine().getErr();
    long start = System.nanoTime();
    RunPlan settings = plan(null);
    int thetaDimension = settings.prior().dimension();
    int xDimension = settings.simulator().xDimension();
    long malformedBatches = 0;
    List<Sample> samples;
    String source;
    if (fromRun != null) {
      RunSamples read = readRun(settings.config(), thetaDimension, xDimension);
      samples = read.samples();
      malformedBatches = read.malformedBatches();
      source = "run " + fromRun;
    } else if (arrowFile != null) {
      samples = SampleFiles.arrow(arrowFile, thetaDimension, xDimension);
      source = arrowFile.toString();
    } else {
      samples = SampleFiles.csv(thetaFile, xFile, thetaDimension, xDimension);
      source = thetaFile + " and " + xFile;
    }
    if (samples.size() < 2) {
      throw new IllegalArgumentException(source + " holds " + samples.size() + " samples; training needs at least 2");
    }
    double readingSeconds = (System.nanoTime() - start) / 1e9;
    RunPlan plan = plan(samples.size());
    RunConfig runConfig = plan.config();
    err.printf("train: %,d samples from %s, %s estimator, no simulation%n", samples.size(), source, runConfig.flow().describe());
    err.flush();
    try (ReplayBuffer buffer = new ReplayBuffer(runConfig.buffer(), thetaDimension, xDimension)) {
      List<String> setAside = new ArrayList<>();
      for (Sample sample : samples) {
        if (buffer.insert(sample) == InsertOutcome.NON_FINITE) {
          setAside.add(sample.sampleId());
        }
      }
      buffer.finishInserts();
      if (!setAside.isEmpty()) {
        err.printf("set aside %,d samples holding NaN or ±∞ (%s%s)%n", setAside.size(),
            String.join(", ", setAside.subList(0, Math.min(5, setAside.size()))), setAside.size() > 5 ? ", ..." : "");
      }
      if (buffer.trainingSize() < runConfig.watermark()) {
        throw new IllegalArgumentException(source + ": only " + buffer.trainingSize() + " of " + samples.size()
            + " samples are usable for training (" + setAside.size() + " hold NaN or ±∞, " + buffer.duplicates()
            + " repeat an id), fewer than the " + runConfig.watermark() + " training needs");
      }
      Files.createDirectories(plan.out());
      TrainingResult result = new NpeTrainer(runConfig.flow(), runConfig.trainer())
          .train(buffer, plan.prior(), StoppingRule.patience(runConfig.patience()), reporter(err));
      try (Posterior posterior = result.posterior()) {
        write(plan, posterior, result, buffer, source, samples.size(), setAside, malformedBatches, readingSeconds, start, err);
      }
    }
    return 0;
  }

  private void write(RunPlan plan, Posterior posterior, TrainingResult result, ReplayBuffer buffer, String source,
      int offered, List<String> setAside, long malformedBatches, double readingSeconds, long start, PrintWriter err)
      throws IOException {
    Path out = plan.out();
    long sampling = System.nanoTime();
    List<float[]> observations = plan.observations();
    double acceptanceRate =
        RunCommand.writeSamples(posterior, observations, plan.posteriorSamples(), plan.config().seed(), out);
    double samplingSeconds = (System.nanoTime() - sampling) / 1e9;
    try (OutputStream file = Files.newOutputStream(out.resolve(RunCommand.POSTERIOR_FILE))) {
      posterior.save(file);
    }
    ObjectNode json = JSON.createObjectNode();
    json.put("source", source);
    if (plan.task() != null) {
      json.put("task", plan.task());
    }
    if (plan.observationIndex() != null) {
      json.put("observation", plan.observationIndex());
    }
    json.put("observations", observations.size());
    json.put("simulations", 0);
    json.put("samples", buffer.distinctSamples());
    json.put("offered_samples", offered);
    json.put("non_finite_samples", buffer.nonFinite());
    ArrayNode aside = json.putArray("set_aside");
    setAside.forEach(aside::add);
    json.put("duplicate_samples", buffer.duplicates());
    json.put("malformed_batches", malformedBatches);
    json.put("training_samples", buffer.trainingSize());
    json.put("validation_samples", buffer.validationSize());
    json.put("training_steps", result.steps());
    json.put("final_validation_loss", result.validationLoss());
    json.put("posterior_samples", plan.posteriorSamples());
    json.put("acceptance_rate", acceptanceRate);
    ObjectNode seconds = json.putObject("seconds");
    seconds.put("reading", readingSeconds);
    seconds.put("training", result.trainingSeconds());
    seconds.put("posterior_sampling", samplingSeconds);
    double total = (System.nanoTime() - start) / 1e9;
    seconds.put("total", total);
    JSON.writeValue(out.resolve("summary.json").toFile(), json);
    err.printf("done in %.1f s (reading %.1f s, training %.1f s, posterior sampling %.1f s); %d steps, "
            + "validation loss %.4f, acceptance rate %.3f%nwrote %s, %s and %s%n",
        total, readingSeconds, result.trainingSeconds(), samplingSeconds, result.steps(), result.validationLoss(),
        acceptanceRate, out.resolve(RunCommand.samplesFile(0)), out.resolve("summary.json"),
        out.resolve(RunCommand.POSTERIOR_FILE));
  }

  /** One line every two seconds at most, as run's progress line when stderr is not a terminal. */
  private static Consumer<TrainingProgress> reporter(PrintWriter err) {
    long[] last = {System.nanoTime()};
    return p -> {
      if (System.nanoTime() - last[0] >= REPORT_NANOS) {
        last[0] = System.nanoTime();
        err.printf("[%6.1fs] step %d  loss %.3f  validation %.3f (best %.3f)%n", p.trainingSeconds(), p.step(),
            p.trainingLoss(), p.validationLoss(), p.bestValidationLoss());
        err.flush();
      }
    };
  }

  private RunSamples readRun(RunConfig runConfig, int thetaDimension, int xDimension) {
    RunTopics topics;
    try {
      topics = new RunTopics(fromRun);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--from-run: " + e.getMessage(), e);
    }
    if (runConfig.bootstrapServers().isPresent()) {
      return RunSamples.read(clients(runConfig, runConfig.bootstrapServers().get()), topics, thetaDimension, xDimension);
    }
    Path directory = runConfig.brokerDirectory();
    if (!Files.isRegularFile(directory.resolve("log").resolve("meta.properties"))) {
      throw new IllegalArgumentException("--from-run: " + directory + " holds no embedded broker's data; give the run's"
          + " --kafka-dir (its OUT/kafka) or --bootstrap-servers");
    }
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(directory)) {
      return RunSamples.read(clients(runConfig, broker.bootstrapServers()), topics, thetaDimension, xDimension);
    }
  }

  private static KafkaClients clients(RunConfig runConfig, String servers) {
    return new KafkaClients(servers, Map.copyOf(runConfig.clientProperties()));
  }

  /**
   * The settings as run reads them, flags laid over the run file; sized for {@code samples} when
   * they are known, so that the batch size and the buffer follow them as a run's follow its
   * budget.
   */
  private RunPlan plan(Integer samples) {
    return RunCommand.plan(spec, config, task, reader -> {
      if (samples != null) {
        reader.override("budget.simulations", "the number of samples", samples);
        reader.override("buffer.capacity", "the number of samples", samples);
      }
      // The loss is NPE's whatever method the run file names: the samples are given, not proposed.
      reader.override("method", "train", "npe");
      reader.override("rounds", "train", 1);
    });
  }
}
