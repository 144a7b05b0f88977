package org.streamsbi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.buffer.Eviction;
import org.streamsbi.buffer.SampleToInsertRatio;
import org.streamsbi.buffer.SelectorType;
import org.streamsbi.controller.Method;
import org.streamsbi.controller.RunConfig;
import org.streamsbi.core.CsvMatrix;
import org.streamsbi.core.prior.BoxUniform;
import org.streamsbi.core.prior.LogNormal;
import org.streamsbi.core.prior.MultivariateNormal;
import org.streamsbi.core.prior.Prior;
import org.streamsbi.simulator.SimulationWorkerConfig;
import org.streamsbi.simulator.StreamingSimulator;
import org.streamsbi.simulator.sbibm.BenchmarkTask;
import org.streamsbi.trainer.Embedding;
import org.streamsbi.trainer.Estimator;
import org.streamsbi.trainer.FlowConfig;
import org.streamsbi.trainer.LearningRateSchedule;
import org.streamsbi.trainer.TrainerConfig;

/**
 * A {@link RunFile} checked and turned into what a run needs: the prior, the simulator, the
 * observations and the controller's {@link RunConfig}. Defaults live here, and every message
 * names the field by its path in the file (and the flag, when the value came from one).
 */
final class RunPlan {
  static final int DEFAULT_SIMULATIONS = 10_000;
  static final int DEFAULT_POSTERIOR_SAMPLES = 10_000;
  /** sbibm's rounds for sequential methods. */
  static final int DEFAULT_ROUNDS = 10;
  /**
   * Higher than sbi's constant 5e-4, with a warm-up and a cosine decay: two_moons at 10,000
   * simulations reaches the same C2ST in about half the training time.
   */
  static final double DEFAULT_LEARNING_RATE = 2e-3;
  static final String DEFAULT_LEARNING_RATE_SCHEDULE = "cosine:100:6000:0.01";

  private final Prior prior;
  private final StreamingSimulator simulator;
  private final String simulatorDescription;
  private final List<float[]> observations;
  private final String task;
  private final Integer observationIndex;
  private final RunConfig config;
  private final List<Job> jobs;
  private final Path out;
  private final int posteriorSamples;
  private final boolean dashboardEnabled;
  private final String dashboardHost;
  private final int dashboardPort;

  private RunPlan(RunFile file, Path baseDirectory, RunFileReader reader) {
    Fields f = new Fields(reader);
    BenchmarkTask topTask = file.task() == null ? null : task(f, "task", file.task());
    this.prior = prior(f, file.prior(), topTask);

    if (file.simulator() == null && topTask == null) {
      throw f.missing("simulator", "task: or process:");
    }
    RunFile.Simulator sim = file.simulator() == null ? new RunFile.Simulator(null, null, null) : file.simulator();
    f.exactlyOne("simulator", choices("task", sim.task(), "process", sim.process()), topTask != null);
    BenchmarkTask simTask = sim.task() != null ? task(f, "simulator.task", sim.task()) : sim.process() == null ? topTask : null;
    BenchmarkTask observationTask = simTask != null ? simTask : topTask;

    RunFile.Observation obs = file.observation();
    if (obs == null) {
      if (observationTask == null) {
        throw f.missing("observation", "task_index:, values: or csv:");
      }
      obs = new RunFile.Observation(1, null, null);
    }
    f.exactlyOne("observation", choices("task_index", obs.taskIndex(), "values", obs.values(), "csv", obs.csv()), false);
    this.observationIndex = obs.taskIndex();
    this.observations = observations(f, obs, observationTask, baseDirectory);

    Path out = f.path(baseDirectory, file.output() == null ? null : file.output().directory());
    if (out == null) {
      throw f.missing("output.directory", "the directory the run writes to (or --out)");
    }
    this.out = f.guard("output.directory", () -> OutputDirectory.check(out));
    this.posteriorSamples = f.atLeast("output.posterior_samples",
        file.output() == null ? null : file.output().posteriorSamples(), DEFAULT_POSTERIOR_SAMPLES, 1);

    int workers = f.atLeast("simulator.workers", sim.workers(), 1, 0);
    SimulationWorkerConfig workerConfig;
    if (simTask != null) {
      this.simulator = StreamingSimulator.of(simTask);
      this.simulatorDescription = simTask.name();
      this.task = simTask.name();
      workerConfig = SimulationWorkerConfig.deterministic();
    } else {
      RunFile.Process p = sim.process();
      int xDimension = f.atLeast("simulator.process.x_dimension", p.xDimension(), observations.get(0).length, 1);
      ProcessSection process = new ProcessSection(f, p, prior.dimension(), xDimension, baseDirectory);
      this.simulator = process.simulator();
      this.simulatorDescription = process.description();
      this.task = topTask == null ? null : topTask.name();
      workerConfig = process.workerConfig();
    }
    if (simulator.thetaDimension() != prior.dimension()) {
      throw f.invalid("simulator", "takes " + simulator.thetaDimension() + " parameters but the prior has "
          + prior.dimension());
    }
    for (int i = 0; i < observations.size(); i++) {
      if (observations.get(i).length != simulator.xDimension()) {
        throw f.invalid(observations.size() == 1 ? "observation" : "observation[" + i + "]",
            "has " + observations.get(i).length + " values but the simulator's x has " + simulator.xDimension());
      }
    }

    int simulations = f.atLeast("budget.simulations", file.budget() == null ? null : file.budget().simulations(),
        DEFAULT_SIMULATIONS, 2);
    Method method = f.guard("method", () -> Method.parse(file.method() == null ? "npe" : file.method().trim().toLowerCase(Locale.ROOT)));
    if (!method.sequential() && file.rounds() != null && file.rounds() != 1) {
      throw f.invalid("rounds", "must be 1 for method npe, which proposes from the prior only, got " + file.rounds());
    }
    int rounds = method.sequential() ? f.between("rounds", file.rounds(), DEFAULT_ROUNDS, 1, simulations / 2) : 1;
    double regionTolerance = f.atLeastReal("region_tolerance", file.regionTolerance(), 0, 0);
    if (regionTolerance >= 1) {
      throw f.invalid("region_tolerance", "must be below 1, got " + regionTolerance);
    }
    if (regionTolerance != 0 && method == Method.SNPE) {
      throw f.invalid("region_tolerance", "applies to tsnpe and tsnpe-async, whose truncation region it watches; "
          + "snpe proposes from the posterior and has none");
    }
    if (file.atoms() != null && method != Method.SNPE) {
      throw f.invalid("atoms", "applies to snpe, whose atomic loss it sizes; " + method.label() + " trains with the NPE loss");
    }
    // Absent, 0 leaves the default to RunConfig, which alone knows it.
    int atoms = file.atoms() == null ? 0 : f.atLeast("atoms", file.atoms(), 0, 2);
    RunFile.Estimator est = file.estimator() == null ? new RunFile.Estimator(null, null, null, null, null, null) : file.estimator();
    Estimator family = f.choice("estimator.name", est.name(), method.defaultEstimator(), Estimator.class);
    Embedding embedding = switch (f.choice("estimator.embedding", est.embedding(), Embedding.Kind.NONE, Embedding.Kind.class)) {
      case NONE -> Embedding.none();
      case MLP -> Embedding.mlpDefaults();
      case CNN -> Embedding.cnnDefaults();
    };
    boolean logitTransform = Boolean.TRUE.equals(est.logitTransform());
    if (logitTransform && !(prior instanceof BoxUniform)) {
      throw f.invalid("estimator.logit_transform", "needs a box_uniform prior; this prior is "
          + prior.getClass().getSimpleName());
    }
    FlowConfig flow = new FlowConfig(family,
        f.atLeast("estimator.transforms", est.transforms(), 5, 1),
        f.atLeast("estimator.hidden_units", est.hiddenUnits(), 50, 1),
        embedding, logitTransform, f.atLeast("estimator.ensemble", est.ensemble(), 1, 1));

    RunFile.Trainer tr = file.trainer() == null
        ? new RunFile.Trainer(null, null, null, null, null, null, null, null, null, null, null) : file.trainer();
    long seed = tr.seed() == null ? 0 : tr.seed();
    String schedule = tr.learningRateSchedule() == null ? DEFAULT_LEARNING_RATE_SCHEDULE : tr.learningRateSchedule();
    TrainerConfig trainer = new TrainerConfig(
        f.atLeast("trainer.batch_size", tr.batchSize(), RunConfig.batchSizeFor(simulations), 1),
        f.positive("trainer.learning_rate", tr.learningRate(), DEFAULT_LEARNING_RATE),
        f.atLeast("trainer.validation_interval", tr.validationInterval(), 0, 0),
        f.positive("trainer.clip_max_norm", tr.clipMaxNorm(), 5.0),
        seed)
        .withLearningRateSchedule(f.guard("trainer.learning_rate_schedule", () -> LearningRateSchedule.parse(schedule)))
        .withWeightDecay(f.atLeastReal("trainer.weight_decay", tr.weightDecay(), 0, 0));
    Path checkpoints = f.path(baseDirectory, tr.checkpointDirectory());
    if (checkpoints != null) {
      f.guard("trainer.checkpoint_directory", () -> OutputDirectory.check(checkpoints));
      trainer = trainer.withCheckpoints(checkpoints,
          f.atLeast("trainer.checkpoint_interval", tr.checkpointInterval(), 500, 1), Boolean.TRUE.equals(tr.resume()));
    } else if (Boolean.TRUE.equals(tr.resume()) || tr.checkpointInterval() != null) {
      throw f.invalid(Boolean.TRUE.equals(tr.resume()) ? "trainer.resume" : "trainer.checkpoint_interval",
          "needs trainer.checkpoint_directory (or --checkpoint-dir)");
    }

    String name = file.run() != null ? file.run()
        : RunIdentity.name(task, observationIndex, Boolean.TRUE.equals(tr.resume()) ? out : null);
    f.guard("run", () -> new RunTopics(name));
    RunConfig.Builder builder = RunConfig.custom(name, simulations)
        .workers(workers)
        .workerConfig(workerConfig)
        .patience(f.atLeast("trainer.patience", tr.patience(), 20, 1))
        .flow(flow)
        .trainer(trainer)
        .seed(seed)
        .method(method)
        .rounds(rounds)
        .refreshSteps(f.atLeast("refresh_steps", file.refreshSteps(), 300, 1))
        .regionTolerance(regionTolerance)
        .atoms(atoms);
    if (file.inFlight() != null) {
      builder.inFlight(f.atLeast("in_flight", file.inFlight(), 0, 1));
    }

    RunFile.Buffer b = file.buffer() == null ? new RunFile.Buffer(null, null, null, null, null, null, null) : file.buffer();
    int capacity = f.between("buffer.capacity", b.capacity(), simulations, 1, 1 << 25);
    builder.bufferCapacity(capacity)
        .validationFraction(f.openRange("buffer.validation_fraction", b.validationFraction(), 0.1, 0, 0.5))
        .selector(f.choice("buffer.selector", b.selector(), SelectorType.UNIFORM, SelectorType.class))
        .eviction(f.choice("buffer.eviction", b.eviction(), Eviction.OLDEST, Eviction.class));
    if (b.watermark() != null) {
      builder.watermark(f.between("buffer.watermark", b.watermark(), 1, 1, Math.min(capacity, simulations)));
    }
    if (b.samplesPerInsert() != null) {
      double ratio = f.positive("buffer.samples_per_insert", b.samplesPerInsert(), 1);
      double errorBuffer = f.atLeastReal("buffer.error_buffer", b.errorBuffer(), Math.max(1, ratio), Math.max(1, ratio));
      builder.samplesPerInsert(new SampleToInsertRatio(ratio, errorBuffer));
    } else if (b.errorBuffer() != null) {
      throw f.invalid("buffer.error_buffer", "needs buffer.samples_per_insert");
    }

    KafkaSection.apply(f, file.kafka(), baseDirectory, out, builder);
    this.config = builder.build();
    if (method.sequential() && observations.size() > 1) {
      // A sequential method's proposals aim at one x_o: one run, with its own topics and output, per observation.
      List<Job> perObservation = new ArrayList<>();
      for (int i = 0; i < observations.size(); i++) {
        perObservation.add(new Job(builder.run(name + "-x" + (i + 1)).build(), List.of(observations.get(i)), i + 1,
            out.resolve("observation-" + (i + 1))));
      }
      this.jobs = List.copyOf(perObservation);
    } else {
      this.jobs = List.of(new Job(config, observations, observationIndex, out));
    }

    RunFile.Dashboard d = file.dashboard() == null ? new RunFile.Dashboard(null, null, null) : file.dashboard();
    this.dashboardEnabled = d.enabled() == null || d.enabled();
    this.dashboardHost = d.host() == null ? DashboardConfig.DEFAULT_HOST : d.host();
    this.dashboardPort = f.between("dashboard.port", d.port(), DashboardConfig.DEFAULT_PORT, 0, 65_535);
  }

  /**
   * @param baseDirectory where relative paths in the file (CSV files, the simulator's working
   *     directory) start: the file's own directory
   * @throws IllegalArgumentException naming the first field that is missing or out of range
   */
  static RunPlan of(RunFile file, Path baseDirectory, RunFileReader reader) {
    return new RunPlan(file, baseDirectory, reader);
  }

  Prior prior() {
    return prior;
  }

  StreamingSimulator simulator() {
    return simulator;
  }

  /** The sbibm task's name, or the program's command line. */
  String simulatorDescription() {
    return simulatorDescription;
  }

  /** The x_o to draw posterior samples for, at least one. */
  List<float[]> observations() {
    return observations;
  }

  /** The sbibm task, when the simulator is one; null otherwise. */
  String task() {
    return task;
  }

  /** sbibm's observation number, when the observation is one; null otherwise. */
  Integer observationIndex() {
    return observationIndex;
  }

  /** The controller's settings; those of the first run when there are several. */
  RunConfig config() {
    return config;
  }

  /**
   * The runs to make: one for npe, whose posterior is amortised over every observation; one per
   * observation for a sequential method.
   */
  List<Job> jobs() {
    return jobs;
  }

  /**
   * One run and what it writes.
   *
   * @param observations the x_o to draw posterior samples for; a sequential run's proposals aim at
   *     the first
   * @param observationNumber sbibm's observation number, or the observation's position among
   *     several; null otherwise
   * @param out the directory the run writes to
   */
  record Job(RunConfig config, List<float[]> observations, Integer observationNumber, Path out) {}

  Path out() {
    return out;
  }

  int posteriorSamples() {
    return posteriorSamples;
  }

  /**
   * Where the dashboard listens, with {@code token}; empty when it is turned off.
   *
   * @throws IllegalArgumentException for an address beyond loopback without a token
   */
  Optional<DashboardConfig> dashboard(Optional<String> token) {
    if (!dashboardEnabled) {
      return Optional.empty();
    }
    try {
      return Optional.of(new DashboardConfig(dashboardHost, dashboardPort, token));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("dashboard.host: " + e.getMessage(), e);
    }
  }

  private static BenchmarkTask task(Fields f, String field, String name) {
    return f.guard(field, () -> BenchmarkTask.named(name));
  }

  private static Prior prior(Fields f, RunFile.Prior p, BenchmarkTask topTask) {
    if (p == null) {
      if (topTask == null) {
        throw f.missing("prior", "task:, box_uniform:, normal: or lognormal:");
      }
      return topTask.prior();
    }
    f.exactlyOne("prior",
        choices("task", p.task(), "box_uniform", p.boxUniform(), "normal", p.normal(), "lognormal", p.lognormal()), false);
    if (p.task() != null) {
      return task(f, "prior.task", p.task()).prior();
    }
    if (p.boxUniform() != null) {
      double[] low = f.required("prior.box_uniform.low", p.boxUniform().low());
      double[] high = f.required("prior.box_uniform.high", p.boxUniform().high());
      return f.guard("prior.box_uniform", () -> new BoxUniform(low, high));
    }
    String kind = p.normal() != null ? "normal" : "lognormal";
    RunFile.Gaussian g = p.normal() != null ? p.normal() : p.lognormal();
    double[] mean = f.required("prior." + kind + ".mean", g.mean());
    double[][] cov = f.required("prior." + kind + ".cov", g.cov());
    if (cov.length != mean.length || Arrays.stream(cov).anyMatch(row -> row == null || row.length != mean.length)) {
      throw f.invalid("prior." + kind + ".cov", "must be a " + mean.length + "x" + mean.length
          + " matrix to match mean, got " + cov.length + " rows of " + Arrays.stream(cov)
              .map(row -> row == null ? "0" : String.valueOf(row.length)).collect(Collectors.joining(", ")));
    }
    return f.guard("prior." + kind, () -> kind.equals("normal") ? new MultivariateNormal(mean, cov) : new LogNormal(mean, cov));
  }

  private static List<float[]> observations(Fields f, RunFile.Observation obs, BenchmarkTask task, Path base) {
    if (obs.taskIndex() != null) {
      if (task == null) {
        throw f.invalid("observation.task_index", "needs an sbibm task (task: or simulator.task:)");
      }
      int index = f.between("observation.task_index", obs.taskIndex(), 1, 1, BenchmarkTask.OBSERVATIONS);
      return List.of(task.observation(index));
    }
    if (obs.csv() != null) {
      Path csv = f.path(base, obs.csv());
      if (!Files.isRegularFile(csv)) {
        throw f.invalid("observation.csv", "no such file: " + csv);
      }
      float[][] rows = f.guard("observation.csv", () -> CsvMatrix.read(csv));
      if (rows.length == 0) {
        throw f.invalid("observation.csv", csv + " has a header but no rows");
      }
      return List.of(rows);
    }
    JsonNode values = obs.values();
    if (!values.isArray() || values.isEmpty()) {
      throw f.invalid("observation.values", "expected a list of numbers (one x_o) or a list of such lists");
    }
    if (values.get(0).isArray()) {
      List<float[]> out = new ArrayList<>();
      for (int i = 0; i < values.size(); i++) {
        out.add(numbers(f, "observation.values[" + i + "]", values.get(i)));
      }
      return List.copyOf(out);
    }
    return List.of(numbers(f, "observation.values", values));
  }

  private static float[] numbers(Fields f, String field, JsonNode node) {
    if (!node.isArray() || node.isEmpty()) {
      throw f.invalid(field, "expected a non-empty list of numbers, got " + node);
    }
    float[] out = new float[node.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = node.get(i);
      double value;
      if (v.isNumber()) {
        value = v.asDouble();
      } else {
        try {
          // YAML 1.1 reads 1e-3 (no dot) as text.
          value = Double.parseDouble(v.asText());
        } catch (NumberFormatException e) {
          throw f.invalid(field + "[" + i + "]", "expected a number, got '" + v.asText() + "'");
        }
      }
      if (!Double.isFinite(value)) {
        throw f.invalid(field + "[" + i + "]", "must be finite, got " + value);
      }
      out[i] = (float) value;
    }
    return out;
  }

  /** Alternative fields of a section by name, in order; absent ones are null. */
  private static Map<String, Object> choices(Object... namesAndValues) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      out.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return out;
  }

  /** Checks a value and words the message: "trainer.learning_rate: must be positive, got -1". */
  static final class Fields {
    private final RunFileReader reader;

    Fields(RunFileReader reader) {
      this.reader = reader;
    }

    private String name(String field) {
      String flag = reader.flagFor(field);
      return flag == null ? field : field + " (" + flag + ")";
    }

    IllegalArgumentException invalid(String field, String problem) {
      return new IllegalArgumentException(name(field) + ": " + problem);
    }

    IllegalArgumentException missing(String field, String expected) {
      return new IllegalArgumentException(field + ": missing field; expected " + expected);
    }

    <T> T required(String field, T value) {
      if (value == null) {
        throw new IllegalArgumentException(field + ": missing field");
      }
      return value;
    }

    /** Runs a constructor whose own message lacks the path, and prefixes it. */
    <T> T guard(String field, Supplier<T> make) {
      try {
        return make.get();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(name(field) + ": " + e.getMessage(), e);
      }
    }

    /** One of the fields in {@code choices} is set, or none when {@code noneAllowed}. */
    void exactlyOne(String section, Map<String, Object> choices, boolean noneAllowed) {
      List<String> set = choices.entrySet().stream().filter(e -> e.getValue() != null).map(Map.Entry::getKey).toList();
      if (set.size() > 1 || (set.isEmpty() && !noneAllowed)) {
        throw new IllegalArgumentException(section + ": give exactly one of "
            + String.join(", ", choices.keySet()) + (set.isEmpty() ? "; got none" : "; got " + String.join(" and ", set)));
      }
    }

    int atLeast(String field, Integer value, int fallback, int min) {
      int v = value == null ? fallback : value;
      if (v < min) {
        throw invalid(field, "must be at least " + min + ", got " + v);
      }
      return v;
    }

    int between(String field, Integer value, int fallback, int min, int max) {
      int v = value == null ? fallback : value;
      if (v < min || v > max) {
        throw invalid(field, "must be between " + min + " and " + max + ", got " + v);
      }
      return v;
    }

    double atLeastReal(String field, Double value, double fallback, double min) {
      double v = value == null ? fallback : value;
      if (!(v >= min) || !Double.isFinite(v)) {
        throw invalid(field, "must be a finite number of at least " + number(min) + ", got " + number(v));
      }
      return v;
    }

    double positive(String field, Double value, double fallback) {
      double v = value == null ? fallback : value;
      if (!(v > 0) || !Double.isFinite(v)) {
        throw invalid(field, "must be positive, got " + number(v));
      }
      return v;
    }

    double openRange(String field, Double value, double fallback, double low, double high) {
      double v = value == null ? fallback : value;
      if (!(v > low && v < high)) {
        throw invalid(field, "must be between " + number(low) + " and " + number(high) + " (exclusive), got " + number(v));
      }
      return v;
    }

    <E extends Enum<E>> E choice(String field, String value, E fallback, Class<E> type) {
      if (value == null) {
        if (fallback == null) {
          throw new IllegalArgumentException(field + ": missing field");
        }
        return fallback;
      }
      try {
        return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw invalid(field, "must be one of " + Arrays.stream(type.getEnumConstants())
            .map(c -> c.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")) + ", got '" + value + "'");
      }
    }

    /** A path from the file's directory, or null when not given. */
    Path path(Path base, String value) {
      return value == null ? null : base.resolve(value).normalize();
    }

    private static String number(double v) {
      return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }
  }
}
