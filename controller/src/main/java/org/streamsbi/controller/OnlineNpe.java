package org.streamsbi.controller;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
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
import org.streamsbi.trainer.NpeTrainer;
import org.streamsbi.trainer.Posterior;
import org.streamsbi.trainer.TrainingProgress;
import org.streamsbi.trainer.TrainingResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Neural posterior estimation trained online: simulations stream through Kafka into a replay
 * buffer while a flow trains on it. One round, proposals from the prior.
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

  private final Prior prior;
  private final StreamingSimulator simulator;
  private Consumer<RunProgress> listener = progress -> {};
  private volatile NpeTrainer runningTrainer;
  private volatile Session running;

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
   * The best validated posterior of the training running now (or of the last run's), as a copy
   * the caller closes; empty before the first validation. Safe to call from any thread, e.g. to
   * show a live posterior.
   */
  public Optional<Posterior> bestSoFar() {
    NpeTrainer running = runningTrainer;
    return running == null ? Optional.empty() : running.bestSoFar();
  }

  /**
   * Publishes an observer's event, such as a live posterior, on the running run's events topic,
   * so remote dashboards see it too; false when no run is running.
   */
  public boolean publishEvent(String key, byte[] json) {
    Session session = running;
    if (session == null) {
      return false;
    }
    session.producer.send(new ProducerRecord<>(session.topics.events(), key, json));
    return true;
  }

  /**
   * Runs until the posterior is trained.
   *
   * @throws RunFailedException when every simulation arrived but too few were usable to train
   * @throws InterruptedException when the calling thread is interrupted
   */
  public RunResult run(RunConfig config) throws InterruptedException {
    long start = System.nanoTime();
    RunTopics topics = new RunTopics(config.run());
    EmbeddedKafkaBroker broker =
        config.bootstrapServers().isEmpty() ? EmbeddedKafkaBroker.start(config.brokerDirectory()) : null;
    try {
      // A lambda, not broker::bootstrapServers, which would dereference the absent broker at once.
      String servers = config.bootstrapServers().orElseGet(() -> broker.bootstrapServers());
      KafkaClients clients = new KafkaClients(servers, Map.copyOf(config.clientProperties()));
      try (Admin admin = clients.admin()) {
        new TopicProvisioner(admin, Duration.ofMinutes(2)).provision(topics, config.partitions());
      }
      double brokerSeconds = seconds(start);
      try (Session session = new Session(config, clients, topics)) {
        running = session;
        try {
          return session.run(start, brokerSeconds);
        } finally {
          // Before the session closes its producer.
          running = null;
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
    private final List<AutoCloseable> services = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final ProposalLedger ledger;
    private final AtomicReference<TrainingProgress> lastValidation = new AtomicReference<>();
    private volatile long arrivedAt;
    private volatile long trainingStartedAt;
    private volatile RunProgress.Phase phase = RunProgress.Phase.SIMULATING;
    private volatile String starvation;
    private boolean trainingLagged;
    private volatile long trainingLagEpisodes;
    private final Map<String, Long> lastSamplesByWorker = new HashMap<>();
    private final Map<String, SimulationWorker> localWorkers = new HashMap<>();
    private long lastReportAt;

    Session(RunConfig config, KafkaClients clients, RunTopics topics) {
      this.config = config;
      this.topics = topics;
      this.buffer =
          new ReplayBuffer(
              config.buffer(),
              prior.dimension(),
              simulator.xDimension());
      this.producer = clients.producer(topics.run() + "-controller");
      this.ledger = new ProposalLedger(clients, topics, prior.dimension(), simulator.xDimension());
      start(new SampleIngestor(clients, topics, buffer), "ingestor");
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
      long proposing = System.nanoTime();
      new ProposalPublisher(producer, topics, prior.dimension(), config.proposalsPerMessage())
          .publish(proposals());
      Thread trainer = Thread.currentThread();
      Thread monitor = new Thread(() -> monitor(start, trainer), "streamsbi-monitor");
      monitor.setDaemon(true);
      monitor.start();
      TrainingResult result;
      try {
        runningTrainer = new NpeTrainer(config.flow(), config.trainer());
        result =
            runningTrainer
                .train(
                    buffer,
                    prior,
                    new PlateauAfterArrival(this::allArrived, config.patience()),
                    this::onValidation);
      } catch (InterruptedException e) {
        if (starvation != null) {
          Thread.interrupted();
          throw new RunFailedException(starvation);
        }
        throw e;
      } finally {
        phase = RunProgress.Phase.DONE;
        monitor.interrupt();
        monitor.join();
        report(start);
      }
      double trainingSeconds = (System.nanoTime() - trainingStartedAt) / 1e9;
      RunSummary summary =
          new RunSummary(
              topics.run(),
              config.simulations(),
              buffer.distinctSamples(),
              ledger.failed(),
              ledger.failedByFailure(),
              buffer.nonFinite(),
              buffer.duplicates(),
              buffer.trainingSize(),
              buffer.validationSize(),
              result.steps(),
              result.validationLoss(),
              (result.watermarkSeconds() + result.waitingSeconds())
                  / (result.watermarkSeconds() + result.trainingSeconds()),
              new RunSummary.Seconds(
                  brokerSeconds,
                  (arrivedAt - proposing) / 1e9,
                  (trainingStartedAt - proposing) / 1e9,
                  trainingSeconds,
                  result.waitingSeconds(),
                  seconds(start)));
      return new RunResult(result.posterior(), summary);
    }

    private List<Proposal> proposals() {
      SplittableRandom rng = new SplittableRandom(config.seed());
      List<Proposal> out = new ArrayList<>(config.simulations());
      for (int i = 0; i < config.simulations(); i++) {
        float[] theta = prior.sample(rng);
        out.add(new Proposal(topics.run(), 1, String.format("r1-%08d", i), rng.nextLong(), theta));
      }
      return out;
    }

    private void onValidation(TrainingProgress progress) {
      lastValidation.set(progress);
    }

    private boolean allArrived() {
      return arrivedAt != 0;
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
          // Every proposal resolved, and the buffer has been offered every sample the ledger saw.
          if (arrivedAt == 0 && ledger.resolved() >= config.simulations()
              && buffer.distinctSamples() >= ledger.samples()) {
            arrivedAt = now;
            // Nothing more will be inserted: a samples-per-insert limit would otherwise hold the
            // trainer forever at the end of the round.
            buffer.finishInserts();
          }
          boolean lagging = buffer.trainingLags();
          if (lagging && !trainingLagged) {
            trainingLagEpisodes++;
            LOG.warn("training lags behind simulation: the trainer draws less than the buffer's "
                + "samples-per-insert ratio allows");
          }
          trainingLagged = lagging;
          if (phase == RunProgress.Phase.SIMULATING && buffer.trainingSize() >= config.watermark()) {
            trainingStartedAt = now;
            phase = RunProgress.Phase.TRAINING;
          }
          if (phase == RunProgress.Phase.SIMULATING && arrivedAt != 0 && starvation == null) {
            starvation = "all " + config.simulations() + " simulations arrived but only "
                + buffer.trainingSize() + " training samples are usable, fewer than the watermark "
                + config.watermark() + ": " + ledger.failed() + " proposals failed and "
                + buffer.nonFinite() + " samples held NaN or infinite values (see topic "
                + topics.deadLetters() + ")";
            trainer.interrupt();
          }
          if (now >= nextReport) {
            report(start);
            nextReport = now + REPORT_NANOS;
          }
          Thread.sleep(50);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
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
              t == null ? 0 : t.step(),
              t == null ? Double.NaN : t.trainingLoss(),
              t == null ? Double.NaN : t.validationLoss(),
              t == null ? Double.NaN : t.bestValidationLoss(),
              trainingLagEpisodes,
              t == null ? Double.NaN : t.samplesPerSecond(),
              t == null ? 0 : t.waitingSeconds(),
              b.insertsPerSecond(),
              b.drawsPerSecond(),
              b.drawsPerInsert(),
              buffer.config().capacity(),
              ledger.deadLetters(),
              workers());
      listener.accept(progress);
      try {
        producer.send(new ProducerRecord<>(topics.events(), "progress", JSON.writeValueAsBytes(progress)));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("a progress record always serialises", e);
      }
    }

    /** Each worker's tallies, with its rate since the previous report. */
    private List<RunProgress.Worker> workers() {
      long now = System.nanoTime();
      double seconds = lastReportAt == 0 ? 0 : (now - lastReportAt) / 1e9;
      lastReportAt = now;
      Map<String, Long> samples = ledger.samplesByWorker();
      Map<String, Long> failed = ledger.failedByWorker();
      Map<String, Double> simulationSeconds = ledger.simulationSecondsByWorker();
      Map<String, Long> all = new TreeMap<>(samples);
      failed.keySet().forEach(w -> all.putIfAbsent(w, 0L));
      localWorkers.keySet().forEach(w -> all.putIfAbsent(w, 0L));
      List<RunProgress.Worker> out = new ArrayList<>();
      all.forEach(
          (worker, n) -> {
            long before = lastSamplesByWorker.getOrDefault(worker, 0L);
            double rate = seconds > 0 ? (n - before) / seconds : 0;
            double meanSeconds = n > 0 ? simulationSeconds.getOrDefault(worker, 0.0) / n : Double.NaN;
            SimulationWorker local = localWorkers.get(worker);
            out.add(new RunProgress.Worker(worker, n, failed.getOrDefault(worker, 0L), rate, meanSeconds,
                local == null ? "" : local.circuitState()));
          });
      lastSamplesByWorker.putAll(samples);
      return out;
    }

    @Override
    public void close() throws InterruptedException {
      for (AutoCloseable service : services) {
        try {
          service.close();
        } catch (Exception e) {
          LOG.warn("closing {} failed", service, e);
        }
      }
      for (Thread thread : threads) {
        thread.join(Duration.ofSeconds(30).toMillis());
      }
      producer.close();
      buffer.close();
    }
  }
}
