package org.streamsbi.controller;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.streamsbi.broker.BrokerException;
import org.streamsbi.broker.EmbeddedKafkaBroker;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.broker.TopicProvisioner;
import org.streamsbi.buffer.BufferMetrics;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.buffer.SampleIngestor;
import org.streamsbi.core.Proposal;
import org.streamsbi.core.prior.Prior;
import org.streamsbi.simulator.SimulationWorker;
import org.streamsbi.simulator.Simulator;
import org.streamsbi.simulator.StreamingSimulator;
import org.streamsbi.trainer.CheckpointStep;
import org.streamsbi.trainer.NpeTrainer;
import org.streamsbi.trainer.Posterior;
import org.streamsbi.trainer.TrainingProgress;
import org.streamsbi.trainer.TrainingResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Neural posterior estimation trained online: simulations stream through Kafka into a replay
 * buffer while a flow trains on it. The run's {@link Method} decides where proposals come from:
 * npe proposes the whole budget from the prior in one round; snpe runs rounds with barriers,
 * each from the last round's posterior at x_o and trained with the atomic loss from round 2 on;
 * tsnpe runs rounds with barriers, each from the prior truncated to the last round's {@link
 * TruncationRegion}; tsnpe-async refreshes that region from the live model while training never
 * stops.
 *
 * <pre>{@code
 * try (RunResult result = new OnlineNpe(prior, simulator)
 *     .run(RunConfig.custom("demo", 10_000).brokerDirectory(dir).build())) {
 *   float[][] theta = result.posterior().sample(10_000, observation, 1).theta();
 * }
 * }</pre>
 */
public final class OnlineNpe {
  private static final Logger LOG = LoggerFactory.getLogger(OnlineNpe.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long REPORT_NANOS = Duration.ofSeconds(1).toNanos();
  /** How long a failed run waits for the ledger to read back the dead letters of the proposals it abandoned. */
  private static final Duration ABANDON_READ = Duration.ofSeconds(30);

  private final Prior prior;
  private final StreamingSimulator simulator;
  private Consumer<RunProgress> listener = progress -> {};
  private volatile Session session;

  public OnlineNpe(Prior prior, Simulator simulator) {
    this(prior, StreamingSimulator.of(simulator));
  }

  /** For a simulator that emits many outputs per run, each its own sample. */
  public OnlineNpe(Prior prior, StreamingSimulator simulator) {
    if (prior.dimension() != simulator.thetaDimension()) {
      throw new IllegalArgumentException(
          "the prior has " + prior.dimension() + " parameters, the simulator takes "
              + simulator.thetaDimension());
    }
    this.prior = prior;
    this.simulator = simulator;
  }

  /** Told of the run's progress about once a second, on a background thread. */
  public OnlineNpe onProgress(Consumer<RunProgress> listener) {
    this.listener = listener;
    return this;
  }

  /**
   * The best validated estimator of the training running now, as an independent copy the caller
   * owns and closes; empty before the first improved validation and between runs.
   */
  public Optional<Posterior> bestSoFar() {
    Session s = session;
    return s == null ? Optional.empty() : s.bestSoFar();
  }

  /**
   * Publishes an observer's event, such as a live posterior, on the running run's events topic,
   * so remote dashboards see it too; false when no run is running.
   */
  public boolean publishEvent(String key, byte[] json) {
    Session s = session;
    if (s == null) {
      return false;
    }
    s.events.send(new ProducerRecord<>(s.topics.events(), key, json));
    return true;
  }

  /**
   * Runs an amortised npe run until the posterior is trained.
   *
   * @throws IllegalArgumentException for a sequential method, which needs an observation
   * @throws RunFailedException when every simulation arrived but too few were usable to train, or
   *     the simulator looks broken ({@link RunConfig#failuresBeforeFirstSample()})
   * @throws InterruptedException when the calling thread is interrupted
   */
  public RunResult run(RunConfig config) throws InterruptedException {
    if (config.method().sequential()) {
      throw new IllegalArgumentException(
          "method " + config.method().label() + " targets one observation: use run(config, observation)");
    }
    return run(config, null);
  }

  /**
   * Runs until the posterior is trained; sequential methods propose for {@code observation},
   * npe ignores it.
   *
   * @throws RunFailedException when every simulation arrived but too few were usable to train,
   *     the simulator looks broken ({@link RunConfig#failuresBeforeFirstSample()}), or proposing
   *     failed; every proposal of the budget without a result is then a dead letter, abandoned
   * @throws InterruptedException when the calling thread is interrupted
   */
  public RunResult run(RunConfig config, float[] observation) throws InterruptedException {
    if (config.method().sequential()) {
      if (observation == null || observation.length != simulator.xDimension()) {
        throw new IllegalArgumentException(
            "observation must have " + simulator.xDimension() + " values for method "
                + config.method().label() + ", got "
                + (observation == null ? "none" : String.valueOf(observation.length)));
      }
    }
    long start = System.nanoTime();
    RunTopics topics = new RunTopics(config.run());
    EmbeddedKafkaBroker broker =
        config.bootstrapServers().isEmpty() ? EmbeddedKafkaBroker.start(config.brokerDirectory()) : null;
    try {
      // A lambda, not broker::bootstrapServers, which would dereference the absent broker at once.
      String servers = config.bootstrapServers().orElseGet(() -> broker.bootstrapServers());
      KafkaClients clients = new KafkaClients(servers, Map.copyOf(config.clientProperties()))
          .waitingUpTo(config.brokerHealth().outageLimit());
      try (Admin admin = clients.admin()) {
        new TopicProvisioner(admin, Duration.ofMinutes(2)).provision(topics, config.partitions());
      }
      ResumePoint resumed = config.trainer().resume()
          ? ResumePoint.read(clients, topics, config, prior.dimension()) : ResumePoint.none();
      if (resumed.resumed()) {
        if (config.method() == Method.TSNPE_ASYNC) {
          throw new IllegalArgumentException("run " + topics.run() + " holds proposals already: a tsnpe-async run"
              + " cannot be resumed yet; start it again under another run name");
        }
        LOG.info("resuming run {}: {} of {} proposals issued, round {}, training step {}", topics.run(),
            resumed.issued().size(), config.simulations(), resumed.round(),
            CheckpointStep.of(config.roundTrainer(resumed.round()).checkpointDirectory()).orElse(0));
      }
      double brokerSeconds = seconds(start);
      try (Session s = new Session(config, clients, topics, observation, resumed)) {
        session = s;
        try {
          return s.run(start, brokerSeconds);
        } finally {
          // Before the session closes its producer, which publishEvent uses.
          session = null;
        }
      }
    } finally {
      if (broker != null) {
        broker.close();
      }
    }
  }

  private static double seconds(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1e9;
  }

  /** The threads and clients of one run, torn down together. */
  private final class Session implements AutoCloseable {
    private final RunConfig config;
    private final RunTopics topics;
    private final ReplayBuffer buffer;
    private final KafkaProducer<String, byte[]> producer;
    /** Progress and observers' events: a report never waits for a broker that is away. */
    private final KafkaProducer<String, byte[]> events;
    private final List<AutoCloseable> services = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final ProposalLedger ledger;
    private final BrokerOutage outage;
    private final ResumePoint resumed;
    private final SampleIngestor ingestor;
    private boolean rebuildReported;
    private final AtomicReference<TrainingProgress> lastValidation = new AtomicReference<>();
    private volatile long arrivedAt;
    private volatile long trainingStartedAt;
    private volatile RunProgress.Phase phase = RunProgress.Phase.SIMULATING;
    private volatile String failure;
    private final float[] observation;
    private final ProposalPublisher publisher;
    private final SplittableRandom proposalRng;
    private final AtomicInteger published = new AtomicInteger();
    /** Orders publishing against the monitor's check that all published proposals arrived. */
    private final Object publishing = new Object();
    private final List<RunResult.Refresh> refreshes = new CopyOnWriteArrayList<>();
    private volatile boolean proposingDone;
    /** The round whose proposals were published last. */
    private volatile int round = 1;
    private volatile boolean refreshDue;
    private volatile long lastRefreshStep;
    private volatile NpeTrainer currentTrainer;
    private long proposingStartedAt;
    /** Training steps of the rounds before the current trainer's. */
    private long steps;
    /** Training steps of the run so far, as of the last validation: each round's trainer counts from 0. */
    private volatile long reportedSteps;
    private boolean trainingLagged;
    private volatile long trainingLagEpisodes;
    private final Map<String, SimulationWorker> localWorkers = new HashMap<>();
    private final WorkerRates workerRates = new WorkerRates();

    Session(RunConfig config, KafkaClients clients, RunTopics topics, float[] observation, ResumePoint resumed) {
      this.config = config;
      this.resumed = resumed;
      this.observation = observation;
      this.proposalRng = new SplittableRandom(config.seed());
      this.topics = topics;
      this.buffer =
          new ReplayBuffer(
              config.buffer(),
              prior.dimension(),
              simulator.xDimension());
      this.producer = clients.producer(topics.run() + "-controller");
      this.events = clients.snapshotProducer(topics.run() + "-events");
      this.publisher = new ProposalPublisher(producer, topics, prior.dimension(), config.proposalsPerMessage());
      IssuedProposals issued = new IssuedProposals();
      this.ledger = new ProposalLedger(clients, topics, issued, prior.dimension(), simulator.xDimension());
      ledger.issued(List.copyOf(resumed.issued()));
      published.set(resumed.issued().size());
      round = resumed.round();
      this.outage = new BrokerOutage(clients, config.brokerHealth());
      this.ingestor = new SampleIngestor(clients, topics, buffer, issued);
      start(ingestor, "ingestor");
      start(ledger, "ledger");
      for (int i = 0; i < config.workers(); i++) {
        String id = topics.run() + "-worker-" + i;
        SimulationWorker worker =
            new SimulationWorker(id, clients, topics, simulator, config.workerConfig());
        localWorkers.put(id, worker);
        start(worker, id);
      }
    }

    private <T extends Runnable & AutoCloseable> void start(T service, String name) {
      services.add(service);
      Thread thread = new Thread(service, "streamsbi-" + name);
      thread.setDaemon(true);
      thread.setUncaughtExceptionHandler((t, e) -> LOG.error("{} failed", t.getName(), e));
      thread.start();
      threads.add(thread);
    }

    RunResult run(long start, double brokerSeconds) throws InterruptedException {
      proposingStartedAt = System.nanoTime();
      Thread trainerThread = Thread.currentThread();
      Thread monitor = new Thread(() -> monitor(start, trainerThread), "streamsbi-monitor");
      monitor.setDaemon(true);
      TrainingResult result = null;
      try {
        if (config.method() == Method.TSNPE_ASYNC) {
          monitor.start();
          result = withoutBarriers(start, trainerThread);
        } else {
          monitor.start();
          result = withBarriers(start);
        }
      } catch (InterruptedException | RuntimeException e) {
        // A failure's interrupt may also end a wait for the broker, as whatever the client throws.
        if (failure == null) {
          throw e;
        }
        Thread.interrupted();
      } finally {
        phase = RunProgress.Phase.DONE;
        monitor.interrupt();
        boolean interrupted = joinUninterruptibly(monitor);
        // A lost broker takes no letters; the proposals stay issued for a resumed run to answer.
        if (failure != null && !outage.lost()) {
          abandonUnresolved();
        }
        report(start);
        // A failure's interrupt came from the monitor and ended training like a stop; left set, it
        // would turn the failure below into a bare InterruptedException.
        if (interrupted && failure == null) {
          Thread.currentThread().interrupt();
        }
      }
      if (failure != null) {
        if (result != null) {
          result.posterior().close();
        }
        throw new RunFailedException(failure, summary(result, start, brokerSeconds));
      }
      return new RunResult(result.posterior(), summary(result, start, brokerSeconds), refreshes);
    }

    /**
     * Ends every proposal of the budget still without a result, issued or not, with a dead letter
     * naming the run's failure, and waits until the ledger has read them so that the summary
     * counts them.
     */
    private void abandonUnresolved() {
      List<String> neverIssued = IntStream.range(published.get(), config.simulations())
          .mapToObj(i -> proposalId(round, i)).toList();
      try {
        new Abandonment(producer, topics, prior.dimension())
            .abandon(ledger.unresolved(), neverIssued, "not simulated: the run stopped: " + failure);
        if (!ledger.awaitResolved(config.simulations(), ABANDON_READ)) {
          LOG.warn("the ledger read {} of {} proposals as ended: summary.json counts fewer abandoned",
              ledger.resolved(), config.simulations());
        }
      } catch (BrokerException e) {
        // The run's own failure is what its caller must hear of.
        LOG.warn("cannot write the dead letters of the proposals the run abandoned", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /**
     * The run's counts and phase times, {@code result} null when training never returned. Each
     * phase is measured on {@link System#nanoTime()} from marks this session set, and is 0 when its
     * end never came: the simulation phase ends at the latest resolved proposal as the ledger read
     * it, not when the monitor noticed, which it may not before training stops.
     */
    private RunSummary summary(TrainingResult result, long start, double brokerSeconds) {
      long now = System.nanoTime();
      long resolvedAt = ledger.lastResolvedAt();
      return new RunSummary(
          topics.run(),
          config.simulations(),
          buffer.distinctSamples(),
          ledger.failed(),
          ledger.failedByFailure(),
          ledger.abandoned(),
          buffer.nonFinite(),
          buffer.duplicates(),
          buffer.trainingSize(),
          buffer.validationSize(),
          steps + (result == null ? 0 : result.steps()),
          result == null ? Double.NaN : result.validationLoss(),
          result == null ? Double.NaN
              : (result.watermarkSeconds() + result.waitingSeconds())
                  / (result.watermarkSeconds() + result.trainingSeconds()),
          new RunSummary.Seconds(
              brokerSeconds,
              resolvedAt == 0 ? 0 : (resolvedAt - proposingStartedAt) / 1e9,
              trainingStartedAt == 0 ? 0 : (trainingStartedAt - proposingStartedAt) / 1e9,
              trainingStartedAt == 0 ? 0 : (now - trainingStartedAt) / 1e9,
              result == null ? 0 : result.waitingSeconds(),
              (now - start) / 1e9));
    }

    /**
     * Rounds with barriers, as sbi runs them: each round's training stops at its plateau after all
     * of the round's simulations arrived, and the next round's proposals wait for that training.
     * npe is the single round. A resumed run starts in the round it was in, from the {@link
     * RoundStart} kept for it, and issues only what that round still lacks.
     */
    private TrainingResult withBarriers(long start) throws InterruptedException {
      int round = this.round;
      Path kept = config.roundTrainer(round).checkpointDirectory();
      RoundStart from = round == 1 ? new RoundStart(0, 0, Double.NaN) : RoundStart.read(kept);
      Posterior previous = round == 1 ? null : RoundStart.previous(kept, prior);
      steps = from.stepsBefore();
      double lastMass = from.priorMass();
      int missing = config.roundSimulations(round) - resumed.issued(round);
      if (missing > 0) {
        publish(round, missing, round == 1 ? ProposalSource.prior(prior) : proposals(previous, round, from.lastRoundSteps(), start));
      }
      while (true) {
        if (round == config.rounds()) {
          proposingDone = true;
        }
        NpeTrainer trainer = new NpeTrainer(config.flow(), config.roundTrainer(round));
        if (previous != null) {
          trainer = trainer.startingFrom(previous);
          if (config.method() == Method.SNPE) {
            trainer = trainer.withAtomicLoss(config.atoms());
          }
        }
        currentTrainer = trainer;
        TrainingResult result;
        try {
          result =
              trainer.train(
                  buffer,
                  prior,
                  // The monitor finishes the inserts once the round arrived, and only then does
                  // the trainer choose its best again on all of them.
                  new PlateauAfterArrival(buffer::insertsFinished, config.patience()),
                  this::onValidation);
        } finally {
          if (previous != null) {
            previous.close();
          }
        }
        if (round == config.rounds() || Thread.currentThread().isInterrupted()) {
          return result;
        }
        previous = result.posterior();
        round++;
        ProposalSource proposals = proposals(previous, round, result.steps(), start);
        if (proposals instanceof TruncationRegion region) {
          if (stable(lastMass, region.priorMass())) {
            proposingDone = true;
            LOG.info("truncation region stable at prior mass {}: the run stops proposing", region.priorMass());
            return result;
          }
          lastMass = region.priorMass();
        }
        steps += result.steps();
        Path next = config.roundTrainer(round).checkpointDirectory();
        if (next != null) {
          new RoundStart(steps, result.steps(), lastMass).write(next, previous);
        }
        publish(round, config.roundSimulations(round), proposals);
      }
    }

    /** Where {@code round} proposes from: snpe from the last round's posterior at x_o, tsnpe from its truncation region. */
    private ProposalSource proposals(Posterior previous, int round, long lastRoundSteps, long start) {
      return config.method() == Method.SNPE
          ? ProposalSource.posterior(previous, observation)
          : region(previous, round, lastRoundSteps, start);
    }

    /**
     * TSNPE without barriers: one training runs throughout; a proposer thread refreshes the
     * truncation region from the best validated estimator every {@code refreshSteps} steps,
     * releases the next round's share of the budget at each refresh, and keeps at most
     * {@code inFlight} proposals unresolved so that they come from a recent region.
     */
    private TrainingResult withoutBarriers(long start, Thread trainerThread) throws InterruptedException {
      NpeTrainer trainer = new NpeTrainer(config.flow(), config.trainer());
      currentTrainer = trainer;
      Thread proposer = new Thread(() -> {
        try {
          propose(trainer, start);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
          if (failure == null) {
            LOG.error("the proposer failed", e);
            failure = "proposing failed: " + e;
            trainerThread.interrupt();
          }
        }
      }, "streamsbi-proposer");
      proposer.setDaemon(true);
      proposer.start();
      try {
        return trainer.train(
            buffer, prior, new PlateauAfterArrival(this::allArrived, config.patience()), progress -> {
              onValidation(progress);
              if (progress.step() - lastRefreshStep >= config.refreshSteps()) {
                lastRefreshStep = progress.step();
                refreshDue = true;
              }
            });
      } finally {
        proposer.interrupt();
        proposer.join();
      }
    }

    private void propose(NpeTrainer trainer, long start) throws InterruptedException {
      int round = 1;
      int released = config.roundSimulations(1);
      ProposalSource source = ProposalSource.prior(prior);
      Posterior regionPosterior = null;
      double lastMass = Double.NaN;
      try {
        while (!proposingDone) {
          if (refreshDue && published.get() < config.simulations()) {
            refreshDue = false;
            Optional<Posterior> best = trainer.bestSoFar();
            if (best.isPresent()) {
              TruncationRegion next = region(best.get(), Math.min(round + 1, config.rounds()), lastValidationStep(), start);
              if (regionPosterior != null) {
                regionPosterior.close();
              }
              regionPosterior = best.get();
              source = next;
              if (stable(lastMass, next.priorMass())) {
                LOG.info("truncation region stable at prior mass {}: the run stops proposing", next.priorMass());
                proposingDone = true;
                break;
              }
              lastMass = next.priorMass();
              if (round < config.rounds()) {
                round++;
                released += config.roundSimulations(round);
              }
            }
          }
          int unpublished = released - published.get();
          int room = config.inFlight() - (published.get() - ledger.resolved());
          int n = Math.min(unpublished, room);
          // Whole messages while more is to come, so quick simulators are not fed one θ at a time.
          if (n > 0 && (n >= Math.min(config.proposalsPerMessage(), unpublished))) {
            publish(round, n, source);
          }
          if (published.get() >= config.simulations()) {
            proposingDone = true;
          } else {
            Thread.sleep(5);
          }
        }
      } finally {
        if (regionPosterior != null) {
          regionPosterior.close();
        }
      }
    }

    private long lastValidationStep() {
      TrainingProgress t = lastValidation.get();
      return t == null ? 0 : t.step();
    }

    /** The truncation region of {@code posterior} at x_o, noted as the region of {@code round}. */
    private TruncationRegion region(Posterior posterior, int round, long trainingSteps, long start) {
      TruncationRegion region =
          TruncationRegion.of(posterior, observation, TruncationRegion.QUANTILE, TruncationRegion.THRESHOLD_DRAWS,
              config.seed() + 7919L * round + trainingSteps);
      refreshes.add(new RunResult.Refresh(round, trainingSteps, region.priorMass(), seconds(start)));
      LOG.info("round {}: truncation region holds prior mass {} (after {} training steps)",
          round, String.format("%.3g", region.priorMass()), trainingSteps);
      return region;
    }

    private boolean stable(double lastMass, double mass) {
      return config.regionTolerance() > 0 && !Double.isNaN(lastMass)
          && Math.abs(mass - lastMass) <= config.regionTolerance() * lastMass;
    }

    /** Publishes {@code n} proposals of {@code round} drawn from {@code source}. */
    private void publish(int round, int n, ProposalSource source) {
      this.round = round;
      float[][] thetas = source.sample(n, proposalRng);
      int first = published.get();
      if (first + n > config.simulations()) {
        throw new IllegalStateException(
            "publishing " + n + " proposals after " + first + " would exceed the budget " + config.simulations());
      }
      List<Proposal> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        out.add(new Proposal(topics.run(), round, proposalId(round, first + i), proposalRng.nextLong(), thetas[i]));
      }
      ledger.issued(out);
      publisher.publish(out);
      synchronized (publishing) {
        published.addAndGet(n);
        buffer.expectInserts();
      }
    }

    /** The id of the {@code index}-th proposal of the budget, issued in {@code round}. */
    private static String proposalId(int round, int index) {
      return String.format("r%d-%08d", round, index);
    }

    /** Joins {@code thread} through interrupts; returns whether one came, with the flag clear. */
    private static boolean joinUninterruptibly(Thread thread) {
      boolean interrupted = Thread.interrupted();
      while (true) {
        try {
          thread.join();
          return interrupted;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }

    /**
     * Every proposal up to {@code target} resolved, its samples offered to the buffer, and the
     * dead letter of every sample the buffer set aside read back, so that the last report
     * counts them.
     */
    private boolean arrived(int target) {
      return ledger.resolved() >= target && buffer.distinctSamples() >= ledger.samples()
          && ledger.deadLetters("sample") >= buffer.nonFinite();
    }

    private void onValidation(TrainingProgress progress) {
      reportedSteps = steps + progress.step();
      lastValidation.set(progress);
    }

    private boolean allArrived() {
      return arrivedAt != 0;
    }

    Optional<Posterior> bestSoFar() {
      NpeTrainer trainer = currentTrainer;
      return trainer == null ? Optional.empty() : trainer.bestSoFar();
    }

    /**
     * Notes when every simulation has arrived and when training starts, reports progress, and
     * ends a run that can never reach its watermark.
     */
    private void monitor(long start, Thread trainer) {
      long nextReport = 0;
      try {
        while (phase != RunProgress.Phase.DONE) {
          long now = System.nanoTime();
          synchronized (publishing) {
            // Read first: proposals published after the check below must not count as arrived.
            boolean lastPublished = proposingDone;
            // Every proposal published so far resolved, and the buffer has been offered every sample
            // the ledger saw: nothing more is inserted until the next are published, and meanwhile a
            // samples-per-insert limit would hold the trainer forever.
            if (published.get() > 0 && arrived(published.get())) {
              if (!buffer.insertsFinished()) {
                buffer.finishInserts();
              }
              if (arrivedAt == 0 && lastPublished) {
                arrivedAt = now;
              }
            }
          }
          boolean lagging = buffer.trainingLags();
          if (lagging && !trainingLagged) {
            trainingLagEpisodes++;
            // Debug, not a warning: samples arrive a message at a time, and under the default limit
            // each message lets the trainer run ahead for a few steps, so episodes are routine.
            LOG.debug("training lags behind simulation: the trainer draws less than the buffer's "
                + "samples-per-insert ratio allows");
          }
          trainingLagged = lagging;
          if (phase == RunProgress.Phase.SIMULATING && buffer.trainingSize() >= config.watermark()) {
            trainingStartedAt = now;
            phase = RunProgress.Phase.TRAINING;
          }
          // The training size is read again after arrived(): samples that came in since the check
          // above would otherwise count as arrived but not as usable.
          if (phase == RunProgress.Phase.SIMULATING && failure == null
              && published.get() >= config.roundSimulations(1) && arrived(published.get())
              && buffer.trainingSize() < config.watermark()) {
            failure = "all " + published.get() + " simulations arrived but only "
                + buffer.trainingSize() + " training samples are usable, fewer than the watermark "
                + config.watermark() + ": " + ledger.failed() + " proposals failed and "
                + buffer.nonFinite() + " samples held NaN or infinite values (see topic "
                + topics.deadLetters() + ")";
            trainer.interrupt();
          }
          if (failure == null && outage.lost()) {
            failure = outage.reason();
            trainer.interrupt();
          }
          if (failure == null && brokenSimulator()) {
            failure = "not one of the " + ledger.resolved() + " proposals that ended gave a usable sample ("
                + ledger.failed() + " failed, " + buffer.nonFinite() + " samples held NaN or infinite values; the run"
                + " gives up after " + config.failuresBeforeFirstSample() + "): the simulator looks broken."
                + " Latest failure: " + ledger.lastFailure()
                + "\n(each failure is a dead letter on topic " + topics.deadLetters() + ")";
            trainer.interrupt();
          }
          if (resumed.resumed() && !rebuildReported && ingestor.caughtUp()) {
            rebuildReported = true;
            LOG.info("run {} rebuilt from its topics {} s after its start: {} samples in the buffer, {} proposals outstanding",
                topics.run(), String.format("%.1f", seconds(start)), buffer.distinctSamples(),
                published.get() - ledger.resolved());
          }
          if (now >= nextReport) {
            report(start);
            nextReport = now + REPORT_NANOS;
          }
          Thread.sleep(50);
        }
      } catch (InterruptedException | InterruptException e) {
        // The end of the run, met in a sleep or in a report's send.
        Thread.currentThread().interrupt();
      }
    }

    /** As {@link RunConfig#failuresBeforeFirstSample()} decides it. */
    private boolean brokenSimulator() {
      return phase == RunProgress.Phase.SIMULATING
          && ledger.failed() + buffer.nonFinite() >= config.failuresBeforeFirstSample()
          && buffer.trainingSize() + buffer.validationSize() == 0;
    }

    private void report(long start) {
      TrainingProgress t = lastValidation.get();
      BufferMetrics b = buffer.metrics();
      RunProgress progress =
          new RunProgress(
              topics.run(),
              phase,
              seconds(start),
              config.simulations(),
              buffer.distinctSamples(),
              ledger.failed(),
              buffer.trainingSize(),
              buffer.validationSize(),
              reportedSteps,
              t == null ? Double.NaN : t.trainingLoss(),
              t == null ? Double.NaN : t.validationLoss(),
              t == null ? Double.NaN : t.bestValidationLoss(),
              trainingLagEpisodes,
              t == null ? Double.NaN : t.samplesPerSecond(),
              t == null ? 0 : t.waitingSeconds(),
              t == null ? Double.NaN : t.learningRate(),
              b.insertsPerSecond(),
              b.drawsPerSecond(),
              b.drawsPerInsert(),
              buffer.config().capacity(),
              ledger.deadLetters(),
              workerRates.next(ledger, localWorkers),
              config.method().label(),
              round,
              config.rounds(),
              ledger.deadLettersByKind(),
              ledger.recentDeadLetters(),
              outage.status());
      listener.accept(progress);
      try {
        events.send(new ProducerRecord<>(topics.events(), "progress", JSON.writeValueAsBytes(progress)));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("a progress record always serialises", e);
      }
    }

    @Override
    public void close() throws InterruptedException {
      outage.close();
      // Threads blocked on a lost broker wait for their clients' timeouts: they are daemons, left behind.
      Duration grace = outage.lost() ? Duration.ofSeconds(1) : Duration.ofSeconds(30);
      for (AutoCloseable service : services) {
        try {
          service.close();
        } catch (Exception e) {
          LOG.warn("closing {} failed", service, e);
        }
      }
      for (Thread thread : threads) {
        thread.join(grace.toMillis());
      }
      Duration pending = outage.lost() ? Duration.ZERO : Duration.ofMillis(Long.MAX_VALUE);
      producer.close(pending);
      events.close(pending);
      buffer.close();
    }
  }
}
