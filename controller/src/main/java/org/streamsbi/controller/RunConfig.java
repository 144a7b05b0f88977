package org.streamsbi.controller;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.buffer.Eviction;
import org.streamsbi.buffer.ReplayBufferConfig;
import org.streamsbi.buffer.SampleToInsertRatio;
import org.streamsbi.buffer.SelectorType;
import org.streamsbi.simulator.SimulationWorkerConfig;
import org.streamsbi.trainer.FlowConfig;
import org.streamsbi.trainer.LearningRateSchedule;
import org.streamsbi.trainer.TrainerConfig;

/**
 * Everything about a run but the prior, the simulator and the observation; immutable, and
 * validated when built, with messages that name the field.
 */
public final class RunConfig {
  /** sbi's default {@code num_atoms}. */
  private static final int DEFAULT_ATOMS = 10;
  /**
   * Rows the trainer may draw per training sample inserted while samples still arrive (the limit
   * lifts once all published proposals resolved). Unlimited, a trainer fed by a slow simulator
   * took tens of thousands of steps on the first few hundred samples; at 32 it takes about as many
   * steps while a budget trickles in as it takes on the whole budget when it arrives at once.
   */
  public static final SampleToInsertRatio DEFAULT_SAMPLES_PER_INSERT = new SampleToInsertRatio(32, 32);

  private final String run;
  private final int simulations;
  private final int workers;
  private final Optional<String> bootstrapServers;
  private final Map<String, String> clientProperties;
  private final Path brokerDirectory;
  private final int partitions;
  private final int proposalsPerMessage;
  private final int watermark;
  private final double validationFraction;
  private final int patience;
  private final FlowConfig flow;
  private final TrainerConfig trainer;
  private final long seed;
  private final ReplayBufferConfig buffer;
  private final SimulationWorkerConfig workerConfig;
  private final Method method;
  private final int rounds;
  private final int refreshSteps;
  private final int inFlight;
  private final double regionTolerance;
  private final int atoms;
  private final int failuresBeforeFirstSample;

  private RunConfig(Builder b, ReplayBufferConfig buffer) {
    this.run = b.run;
    this.simulations = b.simulations;
    this.workers = b.workers;
    this.bootstrapServers = Optional.ofNullable(b.bootstrapServers);
    this.clientProperties = Map.copyOf(b.clientProperties);
    this.brokerDirectory = b.brokerDirectory;
    this.partitions = b.partitions;
    this.proposalsPerMessage = b.proposalsPerMessage;
    this.method = b.method;
    this.rounds = b.resolvedRounds();
    this.watermark = buffer.watermark();
    this.refreshSteps = b.refreshSteps;
    this.inFlight = b.inFlight > 0 ? b.inFlight
        : 2 * Math.max(1, b.workers > 0 ? b.workers : b.partitions) * b.proposalsPerMessage;
    this.regionTolerance = b.regionTolerance;
    this.atoms = b.atoms > 0 ? b.atoms : DEFAULT_ATOMS;
    this.validationFraction = b.validationFraction;
    this.patience = b.patience;
    this.flow = b.flow != null ? b.flow : FlowConfig.defaults(b.method.defaultEstimator());
    this.trainer =
        (b.trainer != null
                ? b.trainer
                : TrainerConfig.defaults().withBatchSize(batchSizeFor(b.simulations)))
            .withSeed(b.seed);
    this.seed = b.seed;
    this.buffer = buffer;
    this.workerConfig = b.workerConfig;
    this.failuresBeforeFirstSample = b.failuresBeforeFirstSample;
  }

  /**
   * The training minibatch when none is given: a sixteenth of the budget rounded up to a multiple
   * of 32, from 32 to 256 (reached at 3,585 simulations). With a small budget an epoch of 256
   * rows is a few steps, and patience counted in epochs stops training early: at 1,000
   * simulations a batch of 64 gave a lower C2ST than 256 in seven of the eight pairs of method
   * and task measured, and a level one in the eighth.
   */
  public static int batchSizeFor(int simulations) {
    return (int) Math.min(256, 32 * Math.max(1, (simulations + 511L) / 512));
  }

  /** A run called {@code run} with the given simulation budget and defaults for everything else. */
  public static Builder custom(String run, int simulations) {
    return new Builder(run, simulations);
  }

  /** Names the run's topics. */
  public String run() {
    return run;
  }

  /** The simulation budget. */
  public int simulations() {
    return simulations;
  }

  /** In-JVM simulation workers; 0 when external workers do all simulations. */
  public int workers() {
    return workers;
  }

  /** An external Kafka cluster; empty to start the embedded broker. */
  public Optional<String> bootstrapServers() {
    return bootstrapServers;
  }

  /** Client settings (security, SASL, TLS) for every client of the external cluster. */
  public Map<String, String> clientProperties() {
    return clientProperties;
  }

  /** Where the embedded broker keeps its data. */
  public Path brokerDirectory() {
    return brokerDirectory;
  }

  /** Partitions of the proposals and samples topics: the most workers that share the work. */
  public int partitions() {
    return partitions;
  }

  /** Proposals per Kafka message, the unit of work a worker takes. */
  public int proposalsPerMessage() {
    return proposalsPerMessage;
  }

  /** Training samples needed before training starts. */
  public int watermark() {
    return watermark;
  }

  public double validationFraction() {
    return validationFraction;
  }

  /** Validations without improvement, after all simulations arrived, before training stops. */
  public int patience() {
    return patience;
  }

  public FlowConfig flow() {
    return flow;
  }

  public TrainerConfig trainer() {
    return trainer;
  }

  /**
   * The trainer of one round with barriers. Each round restarts the schedule from the last
   * round's weights, so a cosine decay sized for the whole run would keep every round near the
   * full learning rate until its plateau: a round decays over its share of the run's steps. Each
   * round keeps its checkpoint in its own {@code round-N} directory, so that a resumed round
   * continues itself rather than the last round's state (whose validation split and loss differ).
   */
  TrainerConfig roundTrainer(int round) {
    if (rounds == 1) {
      return trainer;
    }
    TrainerConfig config = trainer;
    if (trainer.learningRateSchedule() instanceof LearningRateSchedule.WarmUpCosine cosine) {
      int decaySteps = (int) Math.max(1, (long) cosine.decaySteps() * roundSimulations(round) / simulations);
      config = config.withLearningRateSchedule(
          new LearningRateSchedule.WarmUpCosine(cosine.warmUpSteps(), decaySteps, cosine.finalFactor()));
    }
    if (trainer.checkpointDirectory() != null) {
      config = config.withCheckpoints(
          trainer.checkpointDirectory().resolve("round-" + round), trainer.checkpointInterval(), trainer.resume());
    }
    return config;
  }

  /** Seeds proposals and training: the same seed gives the same proposals and initial weights. */
  public long seed() {
    return seed;
  }

  /** The replay buffer's policy; its capacity is the budget unless set. */
  public ReplayBufferConfig buffer() {
    return buffer;
  }

  /** Resilience of the in-JVM simulation workers (time limit, retries). */
  public SimulationWorkerConfig workerConfig() {
    return workerConfig;
  }

  /** How the budget is spent: npe, or a sequential method for one observation. */
  public Method method() {
    return method;
  }

  /** Rounds the budget is split into; 1 for npe, default 10 for sequential methods as sbibm's. */
  public int rounds() {
    return rounds;
  }

  /** Proposals of round {@code round} (1-based): equal shares, the remainder to the first rounds. */
  public int roundSimulations(int round) {
    return roundShare(simulations, rounds, round);
  }

  private static int roundShare(int simulations, int rounds, int round) {
    return simulations / rounds + (round <= simulations % rounds ? 1 : 0);
  }

  /** tsnpe-async: training steps between refreshes of the truncation region from the live model. */
  public int refreshSteps() {
    return refreshSteps;
  }

  /** tsnpe-async: most proposals published but not yet resolved. */
  public int inFlight() {
    return inFlight;
  }

  /**
   * tsnpe and tsnpe-async: the run stops proposing once the truncation region's prior mass
   * changed by less than this relative amount between two refreshes; 0 spends the whole budget.
   * snpe has no region and refuses any other value.
   */
  public double regionTolerance() {
    return regionTolerance;
  }

  /**
   * snpe: θ each row of a minibatch is scored against in the atomic loss, its own and {@code atoms
   * − 1} others of the batch (sbi's {@code num_atoms}). More atoms cost more per step and bring the
   * loss nearer the posterior's own likelihood.
   */
  public int atoms() {
    return atoms;
  }

  /**
   * Proposals that may fail before the run gives up when not one usable sample has arrived: the
   * simulator is then broken (a missing file, an import error), not unlucky in a corner of θ, and
   * waiting for the rest of the budget would only repeat the failure; the proposals without a
   * result are then abandoned, each a dead letter. A solver that fails for 30 %
   * of θ fails the first 20 proposals with probability 0.3^20, about 3e-11.
   */
  public int failuresBeforeFirstSample() {
    return failuresBeforeFirstSample;
  }

  /** Collects settings; {@link #build()} checks them. */
  public static final class Builder {
    private String run;
    private final int simulations;
    private int workers = 1;
    private String bootstrapServers;
    private Map<String, String> clientProperties = Map.of();
    private Path brokerDirectory;
    private int partitions = 4;
    private int proposalsPerMessage = 100;
    private int watermark;
    private double validationFraction = 0.1;
    private int patience = 20;
    private FlowConfig flow;
    private TrainerConfig trainer;
    private long seed;
    private int bufferCapacity;
    private SelectorType selector = SelectorType.UNIFORM;
    private Eviction eviction = Eviction.OLDEST;
    private SampleToInsertRatio samplesPerInsert = DEFAULT_SAMPLES_PER_INSERT;
    private SimulationWorkerConfig workerConfig = SimulationWorkerConfig.deterministic();
    private Method method = Method.NPE;
    private int rounds;
    private int refreshSteps = 300;
    private int inFlight;
    private double regionTolerance;
    private int atoms;
    private int failuresBeforeFirstSample = 20;

    private Builder(String run, int simulations) {
      this.run = run;
      this.simulations = simulations;
    }

    /** Renames the run, e.g. for the next of several sequential runs made from one builder. */
    public Builder run(String run) {
      this.run = run;
      return this;
    }

    public Builder workers(int workers) {
      this.workers = workers;
      return this;
    }

    /** Use an external cluster instead of the embedded broker. */
    public Builder bootstrapServers(String bootstrapServers) {
      this.bootstrapServers = bootstrapServers;
      return this;
    }

    /** Settings every client of the external cluster gets, such as SASL and TLS. */
    public Builder clientProperties(Map<String, String> clientProperties) {
      this.clientProperties = clientProperties;
      return this;
    }

    public Builder brokerDirectory(Path brokerDirectory) {
      this.brokerDirectory = brokerDirectory;
      return this;
    }

    public Builder partitions(int partitions) {
      this.partitions = partitions;
      return this;
    }

    public Builder proposalsPerMessage(int proposalsPerMessage) {
      this.proposalsPerMessage = proposalsPerMessage;
      return this;
    }

    /** Training samples needed before training starts; default a tenth of the budget, at most 1,000. */
    public Builder watermark(int watermark) {
      this.watermark = watermark;
      return this;
    }

    public Builder validationFraction(double validationFraction) {
      this.validationFraction = validationFraction;
      return this;
    }

    /** Default 20 validations (epochs), as sbi's {@code stop_after_epochs}. */
    public Builder patience(int patience) {
      this.patience = patience;
      return this;
    }

    /** The estimator; null, the default, is sbi's shape of the method's {@link Method#defaultEstimator()}. */
    public Builder flow(FlowConfig flow) {
      this.flow = flow;
      return this;
    }

    /**
     * The trainer's settings; null, the default, is {@link TrainerConfig#defaults()} with the
     * budget's batch size, {@link RunConfig#batchSizeFor}.
     */
    public Builder trainer(TrainerConfig trainer) {
      this.trainer = trainer;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Training samples the buffer holds; default the simulation budget. */
    public Builder bufferCapacity(int capacity) {
      this.bufferCapacity = capacity;
      return this;
    }

    public Builder selector(SelectorType selector) {
      this.selector = selector;
      return this;
    }

    public Builder eviction(Eviction eviction) {
      this.eviction = eviction;
      return this;
    }

    /** Default {@link RunConfig#DEFAULT_SAMPLES_PER_INSERT}. */
    public Builder samplesPerInsert(SampleToInsertRatio ratio) {
      this.samplesPerInsert = ratio;
      return this;
    }

    /** Default {@link SimulationWorkerConfig#deterministic()}, right for in-JVM simulators. */
    public Builder workerConfig(SimulationWorkerConfig workerConfig) {
      this.workerConfig = workerConfig;
      return this;
    }

    public Builder method(Method method) {
      this.method = method;
      return this;
    }

    /** Default 1 for npe, 10 for sequential methods. */
    public Builder rounds(int rounds) {
      this.rounds = rounds;
      return this;
    }

    /** Default 300 training steps. */
    public Builder refreshSteps(int refreshSteps) {
      this.refreshSteps = refreshSteps;
      return this;
    }

    /** Default two messages per worker (per partition without in-JVM workers). */
    public Builder inFlight(int inFlight) {
      this.inFlight = inFlight;
      return this;
    }

    /** Default 0: spend the whole budget. */
    public Builder regionTolerance(double regionTolerance) {
      this.regionTolerance = regionTolerance;
      return this;
    }

    /** snpe only; default 10, as sbi's {@code num_atoms}. */
    public Builder atoms(int atoms) {
      this.atoms = atoms;
      return this;
    }

    /** Default 20; see {@link RunConfig#failuresBeforeFirstSample()}. */
    public Builder failuresBeforeFirstSample(int failures) {
      this.failuresBeforeFirstSample = failures;
      return this;
    }

    /** @throws IllegalArgumentException naming the first field that is out of range */
    public RunConfig build() {
      new RunTopics(run);
      require(simulations >= 2, "simulations", "must be at least 2", simulations);
      require(workers >= 0, "workers", "must not be negative", workers);
      require(partitions >= 1, "partitions", "must be at least 1", partitions);
      require(proposalsPerMessage >= 1, "proposalsPerMessage", "must be at least 1", proposalsPerMessage);
      require(watermark >= 0 && watermark <= simulations, "watermark", "must be between 1 and simulations (" + simulations + ")", watermark);
      require(validationFraction > 0 && validationFraction < 0.5, "validationFraction", "must be in (0, 0.5)", validationFraction);
      require(patience >= 1, "patience", "must be at least 1", patience);
      require(bootstrapServers != null || brokerDirectory != null, "brokerDirectory", "is required when no bootstrapServers are given", brokerDirectory);
      require(method != null, "method", "is required", method);
      require(rounds >= 0 && rounds <= simulations / 2, "rounds", "must be between 1 and half the simulations (" + simulations / 2 + ")", rounds);
      require(method.sequential() || rounds <= 1, "rounds", "must be 1 for method npe, which proposes from the prior only", rounds);
      require(refreshSteps >= 1, "refreshSteps", "must be at least 1", refreshSteps);
      require(inFlight >= 0, "inFlight", "must not be negative", inFlight);
      require(regionTolerance >= 0 && regionTolerance < 1, "regionTolerance", "must be in [0, 1)", regionTolerance);
      require(regionTolerance == 0 || method != Method.SNPE, "regionTolerance",
          "applies to tsnpe and tsnpe-async, whose truncation region it watches; snpe proposes from the posterior and has none", regionTolerance);
      require(atoms == 0 || atoms >= 2, "atoms", "must be at least 2: a row's own θ and one other", atoms);
      require(atoms == 0 || method == Method.SNPE, "atoms",
          "applies to snpe, whose atomic loss it sizes; " + method.label() + " trains with the NPE loss", atoms);
      require(clientProperties != null, "clientProperties", "is required", clientProperties);
      require(clientProperties.isEmpty() || bootstrapServers != null, "clientProperties",
          "apply to an external cluster only; give bootstrapServers", clientProperties.keySet());
      require(workerConfig != null, "workerConfig", "is required", workerConfig);
      require(failuresBeforeFirstSample >= 1, "failuresBeforeFirstSample", "must be at least 1", failuresBeforeFirstSample);
      int capacity = bufferCapacity > 0 ? bufferCapacity : simulations;
      int firstRound = roundShare(simulations, resolvedRounds(), 1);
      // A sequential run's first round must reach the watermark on its own.
      int resolvedWatermark = watermark > 0 ? watermark
          : Math.max(1, Math.min(Math.min(1000, resolvedRounds() > 1 ? firstRound / 2 : simulations / 10), capacity));
      ReplayBufferConfig buffer = new ReplayBufferConfig(
          capacity, resolvedWatermark, validationFraction, selector, eviction, samplesPerInsert, seed);
      return new RunConfig(this, buffer);
    }

    private int resolvedRounds() {
      return rounds > 0 ? rounds : (method.sequential() ? 10 : 1);
    }

    private static void require(boolean ok, String field, String rule, Object value) {
      if (!ok) {
        throw new IllegalArgumentException(field + " " + rule + ", got " + value);
      }
    }
  }
}
