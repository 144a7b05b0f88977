package org.streamsbi.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
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
import org.streamsbi.core.Proposal;
import org.streamsbi.core.arrow.ProposalCodec;
import org.streamsbi.simulator.ProcessSimulator;
import org.streamsbi.simulator.ProcessSimulatorConfig;
import org.streamsbi.simulator.SimulationWorker;
import org.streamsbi.simulator.SimulationWorkerConfig;
import org.streamsbi.simulator.Simulator;
import org.streamsbi.simulator.sbibm.BenchmarkTask;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code streamsbi bench simulators}: what the simulation path costs, against baselines measured in
 * the same run. The in-JVM adapter's throughput from proposals topic through worker, transaction
 * and ingestor into the replay buffer, as a ratio to calling the same simulator in a plain loop;
 * and the process adapter's overhead per simulation over starting the same program by hand.
 */
@Command(
    name = "simulators",
    mixinStandardHelpOptions = true,
    description = {
      "In-JVM adapter: samples/s through Kafka into the buffer as a ratio to a plain loop over the",
      "same simulator (two_moons). Process adapter: milliseconds of overhead per simulation over",
      "running the same program (examples/python/simulator.py) directly, alone and through Kafka."
    })
final class SimulatorBenchmark implements Callable<Integer> {
  private static final int PASSES = 3;

  @Spec CommandSpec spec;

  @Option(names = "--simulations", defaultValue = "200000", description = "in-JVM simulations (default ${DEFAULT-VALUE})")
  int simulations;

  @Option(names = "--per-record", defaultValue = "1000", description = "proposals per Kafka record (default ${DEFAULT-VALUE})")
  int perRecord;

  @Option(names = "--process-simulations", defaultValue = "100", description = "process simulations per pass (default ${DEFAULT-VALUE})")
  int processSimulations;

  @Option(names = "--program", defaultValue = "examples/python/simulator.py", description = "the Python simulator (default ${DEFAULT-VALUE})")
  Path program;

  @Option(names = "--kafka-dir", description = "data directory of the embedded broker (default a temporary one)")
  Path kafkaDirectory;

  @Override
  public Integer call() throws Exception {
    if (simulations < 1 || perRecord < 1 || processSimulations < 1) {
      throw new IllegalArgumentException("--simulations, --per-record and --process-simulations must be positive");
    }
    if (!Files.isRegularFile(program)) {
      throw new IllegalArgumentException("--program " + program + " does not exist");
    }
    PrintWriter out = spec.commandLine().getOut();
    Path dir = kafkaDirectory != null ? kafkaDirectory : Files.createTempDirectory("streamsbi-bench-simulators");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir)) {
      KafkaClients clients = new KafkaClients(broker.bootstrapServers());
      BenchmarkTask task = BenchmarkTask.named("two_moons");
      List<Proposal> proposals = proposals("bench-jvm", simulations, task.prior()::sample, 2);

      double loop = loopRate(task, proposals);
      double kafka = throughKafka(clients, "bench-jvm", task, proposals, SimulationWorkerConfig.deterministic(), perRecord);
      out.printf("in-JVM adapter (two_moons, %d simulations, %d per record, 1 worker; loop median of %d passes):%n",
          simulations, perRecord, PASSES);
      out.printf("  plain loop          %,12.0f samples/s%n", loop);
      out.printf("  through Kafka       %,12.0f samples/s into the buffer%n", kafka);
      out.printf("  ratio               %12.3f%n", kafka / loop);
      out.flush();

      ProcessSimulatorConfig config =
          ProcessSimulatorConfig.custom("python3", program.toAbsolutePath().toString()).thetaDimension(2).xDimension(10).build();
      List<Proposal> processProposals = proposals("bench-process", processSimulations, rng -> new float[] {
          (float) rng.nextDouble(0.1, 1), (float) rng.nextDouble(0.5, 2)}, 2);
      // Interleaved passes, median kept: the machine is shared and a single pass is noisy.
      double[] raws = new double[PASSES];
      double[] adapters = new double[PASSES];
      for (int pass = 0; pass < PASSES; pass++) {
        raws[pass] = rawMillis(config, processProposals);
        adapters[pass] = adapterMillis(new ProcessSimulator(config), processProposals);
      }
      double raw = Measurements.median(raws);
      double adapter = Measurements.median(adapters);
      double worker = 1000 / throughKafka(clients, "bench-process", new ProcessSimulator(config), processProposals,
          SimulationWorkerConfig.custom().timeLimit(Duration.ofMinutes(1)).build(), 1);
      out.printf("process adapter (%s, %d simulations, 1 at a time; median of %d passes but Kafka's):%n",
          program, processSimulations, PASSES);
      out.printf("  program started by hand       %8.2f ms per simulation%n", raw);
      out.printf("  ProcessSimulator              %8.2f ms  (overhead %+.2f ms)%n", adapter, adapter - raw);
      out.printf("  worker through Kafka, limited %8.2f ms  (overhead %+.2f ms)%n", worker, worker - raw);
      out.flush();
    }
    return 0;
  }

  private interface ThetaSource {
    float[] sample(SplittableRandom rng);
  }

  private static List<Proposal> proposals(String run, int n, ThetaSource theta, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<Proposal> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new Proposal(run, 1, String.format("b-%08d", i), rng.nextLong(), theta.sample(rng)));
    }
    return out;
  }

  private static double loopRate(Simulator simulator, List<Proposal> proposals) {
    double checksum = 0;
    double[] rates = new double[PASSES];
    for (int pass = 0; pass < PASSES; pass++) {
      long start = System.nanoTime();
      for (Proposal p : proposals) {
        checksum += simulator.simulate(p.theta(), p.seed())[0];
      }
      rates[pass] = proposals.size() / ((System.nanoTime() - start) / 1e9);
    }
    if (Double.isNaN(checksum)) {
      throw new IllegalStateException("the simulator returned NaN");
    }
    return Measurements.median(rates);
  }

  /** Samples per second from the worker's start until the buffer was offered every sample. */
  private static double throughKafka(KafkaClients clients, String run, Simulator simulator, List<Proposal> proposals,
      SimulationWorkerConfig config, int perRecord) throws InterruptedException {
    RunTopics topics = new RunTopics(run);
    try (Admin admin = clients.admin()) {
      new TopicProvisioner(admin, Duration.ofMinutes(1)).provision(topics, 4);
    }
    ProposalCodec codec = new ProposalCodec(simulator.thetaDimension());
    try (KafkaProducer<String, byte[]> producer = clients.producer("bench-controller")) {
      Acknowledgements acks = new Acknowledgements();
      for (int from = 0; from < proposals.size(); from += perRecord) {
        List<Proposal> batch = proposals.subList(from, Math.min(proposals.size(), from + perRecord));
        acks.add(producer.send(new ProducerRecord<>(topics.proposals(), batch.get(0).proposalId(), codec.encode(batch))));
      }
      acks.await("proposals");
    }
    try (ReplayBuffer buffer = new ReplayBuffer(new ReplayBufferConfig(proposals.size(), 1, 0.1),
        simulator.thetaDimension(), simulator.xDimension())) {
      SampleIngestor ingestor = new SampleIngestor(clients, topics, buffer);
      Thread ingesting = new Thread(ingestor, "bench-ingestor");
      ingesting.start();
      SimulationWorker worker = new SimulationWorker(run + "-worker", clients, topics, simulator, config);
      long start = System.nanoTime();
      Thread working = new Thread(worker, "bench-worker");
      working.start();
      while (buffer.distinctSamples() < proposals.size()) {
        if (!working.isAlive() || !ingesting.isAlive()) {
          throw new IllegalStateException("the worker or the ingestor stopped after " + buffer.distinctSamples() + " samples");
        }
        Thread.sleep(5);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      worker.close();
      ingestor.close();
      working.join(30_000);
      ingesting.join(30_000);
      return proposals.size() / seconds;
    }
  }

  private static double adapterMillis(Simulator simulator, List<Proposal> proposals) {
    long start = System.nanoTime();
    for (Proposal p : proposals) {
      simulator.simulate(p.theta(), p.seed());
    }
    return (System.nanoTime() - start) / 1e6 / proposals.size();
  }

  /** The same program started with a bare ProcessBuilder: what any caller must pay. */
  private static double rawMillis(ProcessSimulatorConfig config, List<Proposal> proposals) throws IOException, InterruptedException {
    long start = System.nanoTime();
    for (Proposal p : proposals) {
      Process process = new ProcessBuilder(config.command()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      try (OutputStream in = process.getOutputStream()) {
        in.write(("{\"theta\": [" + p.theta()[0] + ", " + p.theta()[1] + "], \"seed\": " + p.seed() + "}\n")
            .getBytes(StandardCharsets.UTF_8));
      }
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        while (reader.readLine() != null) {
          // read x as the adapter does
        }
      }
      if (process.waitFor() != 0) {
        throw new IllegalStateException(config.command() + " failed");
      }
    }
    return (System.nanoTime() - start) / 1e6 / proposals.size();
  }
}
