package org.streamsbi.cli;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.streamsbi.broker.BrokerHealthConfig;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.simulator.ProcessSimulatorConfig;
import org.streamsbi.simulator.SimulationWorker;
import org.streamsbi.simulator.SimulationWorkerConfig;
import org.streamsbi.simulator.StreamingSimulator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code streamsbi simulate}: a standalone simulation worker that joins a run from any machine and
 * runs an external simulator program per proposal, until stopped (SIGTERM, Ctrl-C).
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = {
      "Joins a run as a simulation worker and runs PROGRAM for the proposals it takes.",
      "With --persistent, each of --concurrency slots starts PROGRAM once and sends it requests",
      "of --batch proposals, one JSON line each way (docs/simulators.md). Otherwise PROGRAM runs",
      "once per proposal: θ and the seed reach it as JSON on stdin (and/or --theta/--seed",
      "arguments, STREAMSBI_THETA/STREAMSBI_SEED variables); it prints x as a JSON array or a CSV line.",
      "The program is started directly, never through a shell. Stop with SIGTERM or Ctrl-C:",
      "unfinished proposals go to another worker."
    })
final class SimulateCommand implements Runnable {

  @Spec CommandSpec spec;

  @Option(names = "--bootstrap-servers", required = true, description = "the run's Kafka cluster, HOST:PORT[,HOST:PORT...]")
  String bootstrapServers;

  @Option(names = "--run", required = true, description = "the run to join (its topics are streamsbi.RUN.*)")
  String run;

  @Option(names = "--theta-dimension", required = true, description = "number of parameters θ")
  int thetaDimension;

  @Option(names = "--x-dimension", required = true, description = "number of values the program prints per output")
  int xDimension;

  @Option(names = "--concurrency", defaultValue = "1", description = "simulations run at once (default ${DEFAULT-VALUE})")
  int concurrency;

  @Option(names = "--timeout", defaultValue = "3600", description = "seconds before an overrunning simulation is killed and retried; 0 for none (default ${DEFAULT-VALUE})")
  double timeoutSeconds;

  @Option(names = "--max-attempts", defaultValue = "3", description = "attempts per proposal for crashes and timeouts (default ${DEFAULT-VALUE})")
  int maxAttempts;

  @Option(names = "--backoff", defaultValue = "1", description = "seconds before the second attempt, doubled for each further one (default ${DEFAULT-VALUE})")
  double backoffSeconds;

  @Option(names = "--pass", split = ",", defaultValue = "STDIN", description = "where θ and the seed go: ${COMPLETION-CANDIDATES} (comma-separated; default ${DEFAULT-VALUE})")
  Set<ProcessSimulatorConfig.Channel> channels;

  @Option(names = "--streaming", description = "the program emits one JSON line per step; each becomes a sample")
  boolean streaming;

  @Option(names = "--persistent", description = "the program is started once per slot and answers requests (the persistent protocol)")
  boolean persistent;

  @Option(names = "--batch", description = "proposals per request of the persistent protocol (default 1)")
  Integer batch;

  @Option(names = "--worker-id", description = "this worker's name (default HOST-PID)")
  String workerId;

  @Option(names = "--working-directory", description = "directory the program runs in (default the current one)")
  Path workingDirectory;

  @Parameters(arity = "1..*", paramLabel = "PROGRAM", description = "the simulator and its own arguments, after --")
  List<String> command = new ArrayList<>();

  @Override
  public void run() {
    if (timeoutSeconds < 0) {
      throw new IllegalArgumentException("--timeout must be 0 (none) or positive, got " + timeoutSeconds);
    }
    if (!(backoffSeconds > 0)) {
      throw new IllegalArgumentException("--backoff must be positive, got " + backoffSeconds);
    }
    RunTopics topics = new RunTopics(run);
    ProcessSimulatorConfig.Builder program =
        ProcessSimulatorConfig.custom(command)
            .thetaDimension(thetaDimension)
            .xDimension(xDimension)
            .passParameters(channels.toArray(ProcessSimulatorConfig.Channel[]::new));
    if (workingDirectory != null) {
      program.workingDirectory(workingDirectory);
    }
    if (persistent) {
      program.protocol(ProcessSimulatorConfig.Protocol.PERSISTENT);
    }
    if (batch != null) {
      program.batchSize(batch);
    }
    ProcessSimulatorConfig simulator = program.build();
    StreamingSimulator runner = ProcessSection.simulator(simulator, streaming);
    SimulationWorkerConfig config =
        SimulationWorkerConfig.custom()
            .concurrency(concurrency)
            .timeLimit(Duration.ofMillis(Math.round(timeoutSeconds * 1000)))
            .maxAttempts(maxAttempts)
            .initialBackoff(Duration.ofMillis(Math.max(1, Math.round(backoffSeconds * 1000))))
            .build();
    KafkaClients clients = new KafkaClients(bootstrapServers);
    requireRun(clients, topics);
    String id = workerId != null ? workerId : host() + "-" + ManagementFactory.getRuntimeMXBean().getPid();
    // A worker outlasts a broker's outage as long as the run it serves waits for one by default.
    SimulationWorker worker = new SimulationWorker(id, clients.waitingUpTo(BrokerHealthConfig.DEFAULT_OUTAGE_LIMIT),
        topics, runner, config);
    PrintWriter err = spec.commandLine().getErr();
    err.printf("worker %s joined run %s on %s: %s, %d at a time, %s%n", id, run, bootstrapServers, command, concurrency,
        persistent ? "persistent, batches of " + simulator.batchSize() : "one process per simulation");
    err.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      worker.close();
      try {
        stopped.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "streamsbi-simulate-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      worker.run();
    } finally {
      stopped.countDown();
      err.printf("worker %s stopped: %d proposals simulated (%d samples), %d dead letters%n",
          id, worker.simulated(), worker.samplesWritten(), worker.failed());
      err.flush();
    }
  }

  /** Stops at start, with the run named, when the run's topics do not exist on the cluster. */
  private static void requireRun(KafkaClients clients, RunTopics topics) {
    try (Admin admin = clients.admin()) {
      Set<String> names = admin.listTopics().names().get(60, TimeUnit.SECONDS);
      if (!names.contains(topics.proposals())) {
        throw new IllegalArgumentException(
            "--run " + topics.run() + ": no topic " + topics.proposals() + " on " + clients.bootstrapServers()
                + "; start the run first");
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalArgumentException(
          "--bootstrap-servers " + clients.bootstrapServers() + " did not answer: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while looking up the run", e);
    }
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "worker";
    }
  }
}
