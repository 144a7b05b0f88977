package org.streamsbi.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.streamsbi.broker.Acknowledgements;
import org.streamsbi.broker.EmbeddedKafkaBroker;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.broker.TopicProvisioner;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.buffer.ReplayBufferConfig;
import org.streamsbi.buffer.SampleIngestor;
import org.streamsbi.controller.OnlineNpe;
import org.streamsbi.controller.RunConfig;
import org.streamsbi.controller.RunRebuild;
import org.streamsbi.controller.RunResult;
import org.streamsbi.core.Proposal;
import org.streamsbi.core.Sample;
import org.streamsbi.core.arrow.ProposalCodec;
import org.streamsbi.core.arrow.SampleCodec;
import org.streamsbi.simulator.Simulator;
import org.streamsbi.simulator.sbibm.BenchmarkTask;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What a resume costs. First, the time to rebuild a run's buffer from its topics (read where the
 * run stands, then refill the buffer with only its own samples) as a ratio to the buffer's bare
 * ingest rate from the same topic, as {@code bench buffer} measures it (target >= 0.8). Second,
 * the simulations repeated when a two_moons npe run is stopped part-way and resumed, as a share
 * of its budget (before whole-run resume: 800 of 1,200).
 */
@Command(
    name = "resume",
    mixinStandardHelpOptions = true,
    description = {
      "The time to rebuild a run's buffer from its topics on resume, as a ratio to the buffer's bare",
      "ingest rate (target >= 0.8), and the simulations repeated after a run stopped part-way and",
      "resumed, as a share of its budget."
    })
final class ResumeBenchmark implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--samples", defaultValue = "200000", description = "samples of the run in its topic (default ${DEFAULT-VALUE})")
  int samples;

  @Option(names = "--per-record", defaultValue = "500", description = "samples per Kafka record (default ${DEFAULT-VALUE})")
  int perRecord;

  @Option(names = "--repeats", defaultValue = "3", description = "timed passes of each kind (default ${DEFAULT-VALUE})")
  int repeats;

  @Option(names = "--budget", defaultValue = "1200", description = "simulations of the stopped run (default ${DEFAULT-VALUE})")
  int budget;

  @Option(names = "--stop-at", defaultValue = "500", description = "samples read when the run is stopped (default ${DEFAULT-VALUE})")
  int stopAt;

  @Option(names = "--simulation-ms", defaultValue = "10", description = "milliseconds each simulation takes (default ${DEFAULT-VALUE})")
  int simulationMillis;

  @Override
  public Integer call() throws Exception {
    if (samples < perRecord || perRecord < 1 || repeats < 1 || stopAt < 1 || stopAt >= budget) {
      throw new IllegalArgumentException("--samples must be at least --per-record, --stop-at below --budget, all positive");
    }
    PrintWriter out = spec.commandLine().getOut();
    rebuild(out);
    repeated(out);
    return 0;
  }

  private void rebuild(PrintWriter out) throws Exception {
    BenchmarkTask task = BenchmarkTask.named("two_moons");
    Path dir = Files.createTempDirectory("streamsbi-bench-resume");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir)) {
      KafkaClients clients = new KafkaClients(broker.bootstrapServers());
      RunConfig config = RunConfig.custom("bench-resume", samples).bootstrapServers(broker.bootstrapServers()).build();
      RunTopics topics = new RunTopics(config.run());
      try (Admin admin = clients.admin()) {
        new TopicProvisioner(admin, Duration.ofSeconds(60)).provision(topics, 4);
      }
      produce(clients, topics, task);
      out.printf("topics: %,d issued two_moons proposals, each answered, in records of %d%n", samples, perRecord);
      out.flush();
      ingest(clients, topics, task); // warms the page cache and the JIT for both
      double[] ingested = new double[repeats];
      double[] rebuilt = new double[repeats];
      for (int i = 0; i < repeats; i++) {
        ingested[i] = ingest(clients, topics, task);
        try (ReplayBuffer buffer = buffer(task)) {
          rebuilt[i] = RunRebuild.rebuild(clients, config, buffer, Duration.ofMinutes(5)).seconds();
        }
      }
      double ingestRate = samples / Measurements.median(ingested);
      double rebuildRate = samples / Measurements.median(rebuilt);
      out.printf("consumer -> decode -> replay buffer (bench buffer's ingest): %,.0f samples/s (median of %d)%n",
          ingestRate, repeats);
      out.printf("resume rebuild (read where the run stands, refill with its own samples): %,.0f samples/s (median of %d)%n",
          rebuildRate, repeats);
      out.printf("rebuild ratio (rebuild / ingest): %.2f (target >= 0.8)%n", rebuildRate / ingestRate);
      out.flush();
    }
  }

  private ReplayBuffer buffer(BenchmarkTask task) {
    return new ReplayBuffer(new ReplayBufferConfig(samples, 1, 0.1), task.thetaDimension(), task.xDimension());
  }

  /** The run's proposals and, for each, its sample, as its controller and workers write them. */
  private void produce(KafkaClients clients, RunTopics topics, BenchmarkTask task) {
    ProposalCodec proposals = new ProposalCodec(task.thetaDimension());
    SampleCodec samplesCodec = new SampleCodec(task.thetaDimension(), task.xDimension());
    SplittableRandom rng = new SplittableRandom(1);
    Acknowledgements acks = new Acknowledgements();
    try (KafkaProducer<String, byte[]> producer = clients.producer("bench-producer")) {
      for (int start = 0; start < samples; start += perRecord) {
        List<Proposal> issued = new ArrayList<>(perRecord);
        List<Sample> answered = new ArrayList<>(perRecord);
        for (int i = start; i < Math.min(samples, start + perRecord); i++) {
          String id = String.format("r1-%08d", i);
          Proposal p = new Proposal(topics.run(), 1, id, rng.nextLong(), task.prior().sample(rng));
          issued.add(p);
          answered.add(Sample.of(p, task.simulate(p.theta(), p.seed()), "bench", 0));
        }
        acks.add(producer.send(new ProducerRecord<>(topics.proposals(), issued.get(0).proposalId(), proposals.encode(issued))));
        acks.add(producer.send(new ProducerRecord<>(topics.samples(), "bench", samplesCodec.encode(answered))));
      }
      acks.await("the benchmark's proposals and samples");
    }
  }

  /** Seconds for a plain ingestor to fill a fresh buffer with every sample. */
  private double ingest(KafkaClients clients, RunTopics topics, BenchmarkTask task) throws InterruptedException {
    try (ReplayBuffer buffer = buffer(task)) {
      return BufferBenchmark.secondsToFill(buffer, new SampleIngestor(clients, topics, buffer), samples);
    }
  }

  /** A two_moons npe run stopped once {@link #stopAt} samples arrived, then resumed: simulations beyond the budget. */
  private void repeated(PrintWriter out) throws Exception {
    BenchmarkTask task = BenchmarkTask.named("two_moons");
    AtomicInteger calls = new AtomicInteger();
    Simulator slow = Simulator.of(task.thetaDimension(), task.xDimension(), (theta, seed) -> {
      calls.incrementAndGet();
      try {
        Thread.sleep(simulationMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return task.simulate(theta, seed);
    });
    Path dir = Files.createTempDirectory("streamsbi-bench-resume-run");
    RunConfig template = RunConfig.custom("bench-resumed", budget).brokerDirectory(dir.resolve("kafka")).build();
    RunConfig config = RunConfig.custom("bench-resumed", budget).brokerDirectory(dir.resolve("kafka")).workers(2)
        .proposalsPerMessage(10).patience(5)
        .trainer(template.trainer().withCheckpoints(dir.resolve("checkpoints"), 100, true)).build();
    AtomicLong read = new AtomicLong();
    CompletableFuture<Thread> runner = new CompletableFuture<>();
    CompletableFuture<Void> first = CompletableFuture.runAsync(() -> {
      runner.complete(Thread.currentThread());
      try (RunResult r = new OnlineNpe(task.prior(), slow).onProgress(p -> read.set(p.samples())).run(config)) {
        throw new IllegalStateException("the run ended before it was stopped");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Thread thread = runner.get(1, TimeUnit.MINUTES);
    while (read.get() < stopAt) {
      if (first.isDone()) {
        first.join();
      }
      Thread.sleep(5);
    }
    thread.interrupt();
    first.get(5, TimeUnit.MINUTES);
    int atStop = calls.get();
    long samplesAtStop = read.get();
    try (RunResult result = new OnlineNpe(task.prior(), slow).run(config)) {
      int repeated = calls.get() - budget;
      out.printf("run of %,d simulations stopped at %,d samples (%,d simulated), resumed: %,d samples, "
          + "%,d simulations repeated = %.1f %% of the budget%n", budget, samplesAtStop, atStop,
          result.summary().samples(), repeated, 100.0 * repeated / budget);
    }
    out.flush();
  }
}
