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
import org.streamsbi.controller.OnlineNpe;
import org.streamsbi.controller.RunConfig;
import org.streamsbi.controller.RunResult;
import org.streamsbi.core.Proposal;
import org.streamsbi.core.arrow.ProposalCodec;
import org.streamsbi.core.prior.BoxUniform;
import org.streamsbi.simulator.PersistentProcessSimulator;
import org.streamsbi.simulator.ProcessSimulator;
import org.streamsbi.simulator.ProcessSimulatorConfig;
import org.streamsbi.simulator.SimulationWorker;
import org.streamsbi.simulator.SimulationWorkerConfig;
import org.streamsbi.simulator.Simulator;
import org.streamsbi.simulator.StreamingSimulator;
import org.streamsbi.simulator.sbibm.BenchmarkTask;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code streamsbi bench simulators}: what the simulation path costs, against baselines measured in
 * the same run. The in-JVM adapter's throughput from proposals topic through worker, transaction
 * and ingestor into the replay buffer, as a ratio to calling the same simulator in a plain loop;
 * and a trivial Python simulator's throughput through the same path with each process protocol
 * (one-shot, persistent, persistent in batches), as a ratio to a bare loop that drives the same
 * persistent program over a pipe from Java; and the simulation phase of a whole run whose program
 * sleeps a few milliseconds per simulation, as a ratio to its slots' ideal.
 */
@Command(
    name = "simulators",
    mixinStandardHelpOptions = true,
    description = {
      "In-JVM adapter: samples/s through Kafka into the buffer as a ratio to a plain loop over the",
      "same simulator (two_moons). Process protocols: simulations/s of a trivial Python simulator",
      "(examples/python/bench_simulator.py) through Kafka into the buffer, one-shot, persistent and",
      "batched, each as a ratio to a bare loop driving the persistent program over a pipe from Java",
      "without Kafka. Sleeping program: the simulation phase (summary.json) of a run of the same file",
      "waiting --simulation-ms per simulation with --sleeping-slots persistent slots, as a ratio to",
      "simulations × ms / slots."
    })
final class SimulatorBenchmark implements Callable<Integer> {
  private static final int PASSES = 3;
  /**
   * Proposals per Kafka record in the persistent runs, as a run's controller writes them; one in
   * the one-shot run, whose transaction would otherwise wait for a hundred process starts.
   */
  private static final int PROCESS_PER_RECORD = 100;

  @Spec CommandSpec spec;

  @Option(names = "--simulations", defaultValue = "200000", description = "in-JVM simulations (default ${DEFAULT-VALUE})")
  int simulations;

  @Option(names = "--per-record", defaultValue = "1000", description = "proposals per Kafka record (default ${DEFAULT-VALUE})")
  int perRecord;

  @Option(names = "--one-shot-simulations", defaultValue = "100", description = "one-shot process simulations (default ${DEFAULT-VALUE})")
  int oneShotSimulations;

  @Option(names = "--persistent-simulations", defaultValue = "50000", description = "persistent process simulations (default ${DEFAULT-VALUE})")
  int persistentSimulations;

  @Option(names = "--batch", defaultValue = "100", description = "proposals per request of the batched protocol (default ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--slots", defaultValue = "2", description = "programs each worker runs at once, its concurrency (default ${DEFAULT-VALUE}, as in examples/process-simulator.yaml)")
  int slots;

  @Option(names = "--program", defaultValue = "examples/python/bench_simulator.py", description = "the Python simulators, run as PROGRAM one-shot|persistent|batched|sleeping MS (default ${DEFAULT-VALUE})")
  Path program;

  @Option(names = "--sleeping-simulations", defaultValue = "2000", description = "simulations of the run of the sleeping program (default ${DEFAULT-VALUE}; the target is set at 10000)")
  int sleepingSimulations;

  @Option(names = "--simulation-ms", defaultValue = "5", description = "milliseconds the sleeping program waits per simulation (default ${DEFAULT-VALUE})")
  double simulationMillis;

  @Option(names = "--sleeping-slots", defaultValue = "4", description = "programs the run's worker keeps for the sleeping program (default ${DEFAULT-VALUE})")
  int sleepingSlots;

  @Option(names = "--kafka-dir", description = "data directory of the embedded broker (default a temporary one)")
  Path kafkaDirectory;

  @Override
  public Integer call() throws Exception {
    if (simulations < 1 || perRecord < 1 || oneShotSimulations < 1 || persistentSimulations < 1 || batch < 1 || slots < 1
        || sleepingSimulations < 1 || sleepingSlots < 1 || !(simulationMillis > 0)) {
      throw new IllegalArgumentException("--simulations, --per-record, --one-shot-simulations, --persistent-simulations,"
          + " --batch, --slots, --sleeping-simulations, --simulation-ms and --sleeping-slots must be positive");
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
      double kafka = throughKafka(clients, "bench-jvm", StreamingSimulator.of(task), proposals,
          SimulationWorkerConfig.deterministic(), perRecord);
      out.printf("in-JVM adapter (two_moons, %d simulations, %d per record, 1 worker; loop median of %d passes):%n",
          simulations, perRecord, PASSES);
      out.printf("  plain loop          %,12.0f samples/s%n", loop);
      out.printf("  through Kafka       %,12.0f samples/s into the buffer%n", kafka);
      out.printf("  ratio               %12.3f%n", kafka / loop);
      out.flush();

      processes(clients, out);
      sleepingRun(broker.bootstrapServers(), out);
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

  /**
   * Samples per second into the buffer in steady state: a first record's samples are awaited, so
   * that the worker's joining the group and its producer's and programs' start, which the loops do
   * not pay either, are left out; then the rest is timed from the first of its samples' arrival to
   * the last. Without the first record, a worker that simulated ahead while its producer started
   * committed much of the rest at once, and the rate read several times too high.
   */
  private static double throughKafka(KafkaClients clients, String run, StreamingSimulator simulator, List<Proposal> proposals,
      SimulationWorkerConfig config, int perRecord) throws InterruptedException {
    RunTopics topics = new RunTopics(run);
    try (Admin admin = clients.admin()) {
      new TopicProvisioner(admin, Duration.ofMinutes(1)).provision(topics, 4);
    }
    ProposalCodec codec = new ProposalCodec(simulator.thetaDimension());
    int first = Math.min(perRecord, proposals.size() / 10);
    if (first < 1) {
      throw new IllegalArgumentException(run + ": give at least 10 simulations for a rate");
    }
    try (KafkaProducer<String, byte[]> producer = clients.producer("bench-controller");
        ReplayBuffer buffer = new ReplayBuffer(new ReplayBufferConfig(proposals.size(), 1, 0.1),
            simulator.thetaDimension(), simulator.xDimension())) {
      SampleIngestor ingestor = new SampleIngestor(clients, topics, buffer);
      Thread ingesting = new Thread(ingestor, "bench-ingestor");
      ingesting.start();
      SimulationWorker worker = new SimulationWorker(run + "-worker", clients, topics, simulator, config);
      Thread working = new Thread(worker, "bench-worker");
      working.start();
      write(producer, topics, codec, proposals.subList(0, first), perRecord);
      await(buffer, first, working, ingesting);
      write(producer, topics, codec, proposals.subList(first, proposals.size()), perRecord);
      await(buffer, first + 1, working, ingesting);
      long start = System.nanoTime();
      long arrived = buffer.distinctSamples();
      await(buffer, proposals.size(), working, ingesting);
      double seconds = (System.nanoTime() - start) / 1e9;
      worker.close();
      ingestor.close();
      working.join(30_000);
      ingesting.join(30_000);
      if (arrived - first > (proposals.size() - first) / 2) {
        throw new IllegalStateException(run + ": half the samples arrived at once; give more simulations for a rate");
      }
      return (proposals.size() - arrived) / seconds;
    }
  }

  private static void write(KafkaProducer<String, byte[]> producer, RunTopics topics, ProposalCodec codec,
      List<Proposal> proposals, int perRecord) {
    Acknowledgements acks = new Acknowledgements();
    for (int from = 0; from < proposals.size(); from += perRecord) {
      List<Proposal> batch = proposals.subList(from, Math.min(proposals.size(), from + perRecord));
      acks.add(producer.send(new ProducerRecord<>(topics.proposals(), batch.get(0).proposalId(), codec.encode(batch))));
    }
    acks.await("proposals");
  }

  private static void await(ReplayBuffer buffer, long samples, Thread working, Thread ingesting) throws InterruptedException {
    while (buffer.distinctSamples() < samples) {
      if (!working.isAlive() || !ingesting.isAlive()) {
        throw new IllegalStateException("the worker or the ingestor stopped after " + buffer.distinctSamples() + " samples");
      }
      Thread.sleep(1);
    }
  }

  /**
   * The process protocols through Kafka, one slot each, against bare loops over a pipe (and, for
   * the one-shot protocol, starting the program by hand), bare loops interleaved with medians kept.
   */
  private void processes(KafkaClients clients, PrintWriter out) throws IOException, InterruptedException {
    ThetaSource oscillator = rng -> new float[] {(float) rng.nextDouble(0.1, 1), (float) rng.nextDouble(0.5, 2)};
    List<Proposal> oneShotProposals = proposals("bench-one-shot", oneShotSimulations, oscillator, 2);
    List<Proposal> persistentProposals = proposals("bench-persistent", persistentSimulations, oscillator, 3);
    List<Proposal> batchedProposals = proposals("bench-batched", persistentSimulations * 5, oscillator, 4);
    List<String> oneShot = command("one-shot");
    List<String> persistent = command("persistent");
    List<String> batched = command("batched");
    double[] bareOneShot = new double[PASSES];
    double[] barePipe = new double[PASSES];
    double[] bareBatched = new double[PASSES];
    for (int pass = 0; pass < PASSES; pass++) {
      bareOneShot[pass] = oneShotRate(oneShot, oneShotProposals);
      barePipe[pass] = pipeRate(persistent, persistentProposals, 1);
      bareBatched[pass] = pipeRate(batched, batchedProposals, batch);
    }
    double pipe = Measurements.median(barePipe);
    SimulationWorkerConfig oneSlot = SimulationWorkerConfig.custom().timeLimit(Duration.ofMinutes(1)).build();
    SimulationWorkerConfig config = SimulationWorkerConfig.custom().concurrency(slots).timeLimit(Duration.ofMinutes(1)).build();
    double viaOneShot = throughKafka(clients, "bench-one-shot", StreamingSimulator.of(new ProcessSimulator(
        program(oneShot).build())), oneShotProposals, config, 1);
    ProcessSimulatorConfig.Builder persistentProgram = program(persistent).protocol(ProcessSimulatorConfig.Protocol.PERSISTENT);
    // Not reported: the JIT compiles the worker's path here, as the loops' passes compile theirs.
    throughKafka(clients, "bench-warm-up", new PersistentProcessSimulator(persistentProgram.build()),
        proposals("bench-warm-up", persistentSimulations, oscillator, 5), config, PROCESS_PER_RECORD);
    double viaPersistentAlone = throughKafka(clients, "bench-persistent-1", new PersistentProcessSimulator(
        persistentProgram.build()), persistentProposals, oneSlot, PROCESS_PER_RECORD);
    double viaPersistent = throughKafka(clients, "bench-persistent", new PersistentProcessSimulator(
        persistentProgram.build()), persistentProposals, config, PROCESS_PER_RECORD);
    double viaBatched = throughKafka(clients, "bench-batched", new PersistentProcessSimulator(
        program(batched).protocol(ProcessSimulatorConfig.Protocol.PERSISTENT).batchSize(batch).build()),
        batchedProposals, config, PROCESS_PER_RECORD);
    out.printf("process protocols (%s; %d proposals per record, 1 for one-shot; bare loops one program, median of %d passes):%n",
        program, PROCESS_PER_RECORD, PASSES);
    out.printf("  %-24s %14s %12s %22s %9s%n", "protocol", "through Kafka", "÷ bare pipe", "its own bare loop", "÷ own");
    String each = ", " + slots + (slots == 1 ? " slot" : " slots");
    row(out, "one-shot" + each, viaOneShot, pipe, "process per simulation", Measurements.median(bareOneShot));
    row(out, "persistent, 1 slot", viaPersistentAlone, pipe, "pipe, 1 per request", pipe);
    row(out, "persistent" + each, viaPersistent, pipe, "pipe, 1 per request", pipe);
    row(out, "batched (" + batch + ")" + each, viaBatched, pipe, "pipe, " + batch + " per request",
        Measurements.median(bareBatched));
    out.printf("  persistent ÷ one-shot %8.1f   (target ≥ 50)%n", viaPersistent / viaOneShot);
    out.printf("  persistent ÷ bare pipe %7.2f   (target ≥ 0.7; 1 slot: %.2f)%n", viaPersistent / pipe, viaPersistentAlone / pipe);
    out.printf("  batched ÷ persistent %9.1f   (target ≥ 5)%n", viaBatched / viaPersistent);
    out.flush();
  }

  /**
   * A whole run (controller, trainer and one worker in this JVM) of the sleeping program through
   * the persistent protocol: its simulation phase as summary.json reports it, from the first
   * proposal written to the last result read, against the ideal of every slot busy throughout.
   */
  private void sleepingRun(String bootstrapServers, PrintWriter out) throws InterruptedException {
    List<String> sleeping = new ArrayList<>(command("sleeping"));
    sleeping.add(Double.toString(simulationMillis));
    RunConfig config = RunConfig.custom("bench-sleeping-" + System.nanoTime(), sleepingSimulations)
        .bootstrapServers(bootstrapServers)
        .workers(1)
        .workerConfig(SimulationWorkerConfig.custom().concurrency(sleepingSlots).timeLimit(Duration.ofMinutes(1)).build())
        // Only the simulation phase is timed: stop training soon after the last sample.
        .patience(1)
        .build();
    PersistentProcessSimulator simulator =
        new PersistentProcessSimulator(program(sleeping).protocol(ProcessSimulatorConfig.Protocol.PERSISTENT).build());
    double phase;
    try (RunResult result = new OnlineNpe(BoxUniform.of(2, -1, 1), simulator).run(config, new float[] {0.2f, -0.3f})) {
      phase = result.summary().seconds().simulation();
    }
    double ideal = sleepingSimulations * simulationMillis / 1000 / sleepingSlots;
    out.printf("sleeping program through a run (%s sleeping %s; persistent, 1 worker, %d slots, npe):%n",
        program, simulationMillis, sleepingSlots);
    out.printf("  %,d simulations: simulation phase %.2f s (summary.json), ideal %.2f s (%,d × %s ms / %d slots)%n",
        sleepingSimulations, phase, ideal, sleepingSimulations, simulationMillis, sleepingSlots);
    out.printf("  simulation phase ÷ ideal %6.2f   (target ≤ 1.3 at 10,000 simulations, 5 ms, 4 slots)%n", phase / ideal);
    out.flush();
  }

  private List<String> command(String mode) {
    return List.of("python3", program.toAbsolutePath().toString(), mode);
  }

  private static ProcessSimulatorConfig.Builder program(List<String> command) {
    return ProcessSimulatorConfig.custom(command).thetaDimension(2).xDimension(2);
  }

  private static void row(PrintWriter out, String protocol, double rate, double pipe, String bare, double bareRate) {
    out.printf("  %-24s %,10.0f /s %12.3f %,15.0f /s %-23s %6.2f%n", protocol, rate, rate / pipe, bareRate,
        "(" + bare + ")", rate / bareRate);
  }

  /** The one-shot program started with a bare ProcessBuilder per simulation: what any caller must pay. */
  private static double oneShotRate(List<String> command, List<Proposal> proposals) throws IOException, InterruptedException {
    long start = System.nanoTime();
    for (Proposal p : proposals) {
      Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
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
        throw new IllegalStateException(command + " failed");
      }
    }
    return proposals.size() / ((System.nanoTime() - start) / 1e9);
  }

  /**
   * A persistent program driven over a pipe by hand, {@code batch} proposals per request, one
   * request at a time: the floor of the persistent protocol without Kafka or the worker. Its start
   * and first request are left out.
   */
  private static double pipeRate(List<String> command, List<Proposal> proposals, int batch) throws IOException {
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (OutputStream in = process.getOutputStream();
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      exchange(in, reader, proposals.subList(0, 1), "warm-up");
      long start = System.nanoTime();
      for (int from = 0; from < proposals.size(); from += batch) {
        exchange(in, reader, proposals.subList(from, Math.min(proposals.size(), from + batch)), Integer.toString(from));
      }
      return proposals.size() / ((System.nanoTime() - start) / 1e9);
    } finally {
      process.destroyForcibly();
    }
  }

  private static void exchange(OutputStream in, BufferedReader reader, List<Proposal> items, String id) throws IOException {
    StringBuilder request = new StringBuilder("{\"id\": \"").append(id).append("\", \"items\": [");
    for (int i = 0; i < items.size(); i++) {
      Proposal p = items.get(i);
      request.append(i == 0 ? "" : ", ").append("{\"theta\": [").append(p.theta()[0]).append(", ").append(p.theta()[1])
          .append("], \"seed\": ").append(p.seed()).append('}');
    }
    in.write(request.append("]}\n").toString().getBytes(StandardCharsets.UTF_8));
    in.flush();
    String reply = reader.readLine();
    if (reply == null || !reply.startsWith("{\"id\": \"" + id + "\"")) {
      throw new IllegalStateException("the program did not answer request " + id + ": " + reply);
    }
  }
}
