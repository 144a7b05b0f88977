package org.streamsbi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.buffer.SelectorType;
import org.streamsbi.controller.Method;
import org.streamsbi.core.CsvMatrix;
import org.streamsbi.core.prior.BoxUniform;
import org.streamsbi.core.prior.LogNormal;
import org.streamsbi.simulator.PersistentProcessSimulator;
import org.streamsbi.trainer.Estimator;
import picocli.CommandLine;

class RunConfigFileTest {
  private static final Path EXAMPLES = Path.of("..", "examples");

  @TempDir Path dir;

  static String python() throws Exception {
    Process p = new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)").start();
    String executable = new String(p.getInputStream().readAllBytes()).trim();
    assertEquals(0, p.waitFor());
    return executable;
  }

  private Path file(String yaml) throws Exception {
    Path file = Files.createTempFile(dir, "run", ".yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private static RunCommandTest.Outcome check(Path file, String... flags) {
    String[] args = new String[flags.length + 4];
    args[0] = "run";
    args[1] = "--config";
    args[2] = file.toString();
    args[3] = "--check";
    System.arraycopy(flags, 0, args, 4, flags.length);
    return RunCommandTest.execute(args);
  }

  /** The plan {@code streamsbi run ARGS} would run, built as the command builds it. */
  private static RunPlan plan(String... args) {
    CommandLine cli = StreamSbi.commandLine();
    CommandLine.ParseResult parsed = cli.parseArgs(args);
    RunCommand command = parsed.subcommand().commandSpec().commandLine().getCommand();
    return command.plan();
  }

  private static void assertRefused(RunCommandTest.Outcome o, String... fragments) {
    assertEquals(2, o.exitCode(), o.err());
    for (String fragment : fragments) {
      assertTrue(o.err().contains(fragment), "expected '" + fragment + "' in: " + o.err());
    }
  }

  @Test
  void aMissingSectionIsNamed() throws Exception {
    Path noPrior = file("""
        simulator: {task: two_moons}
        output: {directory: out}
        """);
    assertRefused(check(noPrior), "prior: missing field");

    Path noOutput = file("task: two_moons\n");
    assertRefused(check(noOutput), "output.directory: missing field");

    Path noLow = file("""
        prior: {box_uniform: {high: [1, 1]}}
        simulator: {task: two_moons}
        output: {directory: out}
        """);
    assertRefused(check(noLow), "prior.box_uniform.low: missing field");
  }

  @Test
  void aValueOfTheWrongTypeIsNamedWithTheTypeExpected() throws Exception {
    assertRefused(check(file("""
        task: two_moons
        trainer: {learning_rate: fast}
        output: {directory: out}
        """)), "trainer.learning_rate: expected a number, got 'fast'");
    assertRefused(check(file("""
        task: two_moons
        budget: {simulations: 1.5}
        output: {directory: out}
        """)), "budget.simulations: expected a whole number");
    assertRefused(check(file("""
        task: two_moons
        trainer: 3
        output: {directory: out}
        """)), "trainer: expected a mapping with the fields batch_size, learning_rate");
    assertRefused(check(file("""
        prior: {box_uniform: {low: [0, zero], high: [1, 1]}}
        simulator: {task: two_moons}
        output: {directory: out}
        """)), "prior.box_uniform.low[1]: expected a number");
  }

  @Test
  void anOutOfRangeValueIsNamedWithTheRange() throws Exception {
    assertRefused(check(file("""
        task: two_moons
        trainer: {learning_rate: -1}
        output: {directory: out}
        """)), "trainer.learning_rate: must be positive, got -1");
    assertRefused(check(file("""
        task: two_moons
        trainer: {weight_decay: -0.1}
        output: {directory: out}
        """)), "trainer.weight_decay: must be a finite number of at least 0, got -0.1");
    assertRefused(check(file("""
        task: two_moons
        buffer: {validation_fraction: 0.7}
        output: {directory: out}
        """)), "buffer.validation_fraction: must be between 0 and 0.5 (exclusive), got 0.7");
    assertRefused(check(file("""
        task: two_moons
        observation: {task_index: 12}
        output: {directory: out}
        """)), "observation.task_index: must be between 1 and 10, got 12");
    assertRefused(check(file("""
        task: two_moons
        buffer: {selector: random}
        output: {directory: out}
        """)), "buffer.selector: must be one of fifo, firo, uniform, reservoir, prioritized, got 'random'");
    assertRefused(check(file("""
        task: two_moons
        dashboard: {port: 70000}
        output: {directory: out}
        """)), "dashboard.port: must be between 0 and 65535, got 70000");
    assertRefused(check(file("""
        task: two_moons
        method: tsnpe
        rounds: 6000
        output: {directory: out}
        """)), "rounds: must be between 1 and 5000, got 6000");
  }

  @Test
  void aWrongProcessProtocolOrBatchIsNamed() throws Exception {
    String section = """
        prior: {box_uniform: {low: [0, 0], high: [1, 1]}}
        observation: {values: [0, 0]}
        output: {directory: out}
        simulator:
          process:
            command: [python3, simulator.py]
        """;
    assertRefused(check(file(section + "    protocol: forever\n")),
        "simulator.process.protocol: must be one of one_shot, persistent, got 'forever'");
    assertRefused(check(file(section + "    protocol: persistent\n    batch: 0\n")),
        "simulator.process: batchSize must be at least 1, got 0");
    assertRefused(check(file(section + "    batch: 10\n")),
        "simulator.process: batchSize must be 1 for the ONE_SHOT protocol");
    assertRefused(check(file(section + "    protocol: persistent\n    pass: [arguments]\n")),
        "simulator.process: passParameters must be STDIN alone for the persistent protocol");
    assertRefused(check(file(section + "    protocol: persistent\n    streaming: true\n")),
        "simulator.process.streaming: streaming applies to the one-shot protocol");
    RunPlan plan = plan("run", "--config", file(section + "    protocol: persistent\n    batch: 25\n").toString());
    assertInstanceOf(PersistentProcessSimulator.class, plan.simulator());
  }

  @Test
  void aMisspeltFieldAndAnAmbiguousSectionAreRefused() throws Exception {
    assertRefused(check(file("""
        task: two_moons
        trainer: {learnig_rate: 0.001}
        output: {directory: out}
        """)), "trainer.learnig_rate: unknown field", "learning_rate");
    assertRefused(check(file("""
        prior: {task: two_moons, box_uniform: {low: [0, 0], high: [1, 1]}}
        simulator: {task: two_moons}
        output: {directory: out}
        """)), "prior: give exactly one of task, box_uniform, normal, lognormal; got task and box_uniform");
    assertRefused(check(file("""
        task: two_moons
        kafka: {properties: {security.protocol: SASL_SSL}}
        output: {directory: out}
        """)), "kafka.properties: apply to an external cluster");
  }

  @Test
  void flagsGivenOverrideTheFileAndFlagsLeftOutKeepIt() throws Exception {
    Path file = file("""
        task: two_moons
        budget: {simulations: 5000}
        trainer: {seed: 4, learning_rate: 1.0e-3, batch_size: 64}
        output: {directory: out}
        """);
    RunPlan plan = plan("run", "--config", file.toString(), "--simulations", "300", "--batch-size", "32");
    assertEquals(300, plan.config().simulations());
    assertEquals(32, plan.config().trainer().batchSize());
    assertEquals(64, plan("run", "--config", file.toString(), "--simulations", "300").config().trainer().batchSize(),
        "the file's batch size");
    Path noBatch = file("""
        task: two_moons
        budget: {simulations: 1000}
        output: {directory: out}
        """);
    assertEquals(64, plan("run", "--config", noBatch.toString()).config().trainer().batchSize(), "the budget's");
    assertEquals(256, plan("run", "--config", noBatch.toString(), "--simulations", "5000").config().trainer().batchSize());
    // The flags' defaults (seed 0, learning rate 5e-4) must not replace the file's values.
    assertEquals(4, plan.config().seed());
    assertEquals(1e-3, plan.config().trainer().learningRate(), 1e-12);
    assertEquals(0, plan.config().trainer().weightDecay(), "plain Adam unless asked");
    assertEquals(0.01, plan("run", "--config", file.toString(), "--weight-decay", "0.01").config().trainer().weightDecay(), 1e-12);
    assertEquals(1, plan.config().flow().ensemble(), "one estimator unless asked");
    assertEquals(3, plan("run", "--config", file.toString(), "--ensemble", "3").config().flow().ensemble());
    assertEquals(file.getParent().resolve("out"), plan.out());

    Path out = dir.resolve("elsewhere");
    RunPlan moved = plan("run", "--config", file.toString(), "--out", out.toString(), "--observation", "3");
    assertEquals(out.toAbsolutePath(), moved.out());
    assertEquals(3, moved.observationIndex());

    assertRefused(check(file, "--learning-rate", "-2"), "trainer.learning_rate (--learning-rate): must be positive, got -2");

    Path dashboard = file("""
        task: two_moons
        method: tsnpe
        dashboard: {port: 9000, enabled: true}
        output: {directory: out}
        """);
    assertEquals(9000, plan("run", "--config", dashboard.toString()).dashboard(Optional.empty()).orElseThrow().port());
    assertEquals(0, plan("run", "--config", dashboard.toString(), "--dashboard-port", "0")
        .dashboard(Optional.empty()).orElseThrow().port());
    assertTrue(plan("run", "--config", dashboard.toString(), "--no-dashboard").dashboard(Optional.empty()).isEmpty());
    RunPlan sequential = plan("run", "--config", dashboard.toString(), "--rounds", "4");
    assertEquals(Method.TSNPE, sequential.config().method());
    assertEquals(Estimator.NSF, sequential.config().flow().estimator(), "tsnpe's default estimator");
    assertEquals(Estimator.MAF, plan("run", "--config", dashboard.toString(), "--estimator", "maf").config().flow().estimator());
    assertEquals(Estimator.MAF, plan("run", "--config", dashboard.toString(), "--method", "npe").config().flow().estimator());
    assertEquals(4, sequential.config().rounds());
  }

  @Test
  void snpeIsAcceptedFromFlagsAndFilesWithoutARegionTolerance() throws Exception {
    RunPlan flags = plan("run", "--task", "two_moons", "--method", "snpe", "--out", dir.toString());
    assertEquals(Method.SNPE, flags.config().method());
    assertEquals(RunPlan.DEFAULT_ROUNDS, flags.config().rounds());
    String yaml = """
        task: two_moons
        method: snpe
        rounds: 3
        output: {directory: out}
        """;
    RunPlan file = plan("run", "--config", file(yaml).toString());
    assertEquals(Method.SNPE, file.config().method());
    assertEquals(3, file.config().rounds());
    assertRefused(check(file(yaml + "region_tolerance: 0.1\n")),
        "region_tolerance: applies to tsnpe and tsnpe-async");
    assertEquals(10, file.config().atoms());
    assertEquals(5, plan("run", "--config", file(yaml + "atoms: 5\n").toString()).config().atoms());
    assertEquals(4, plan("run", "--config", file(yaml).toString(), "--atoms", "4").config().atoms());
    assertRefused(check(file(yaml + "atoms: 1\n")), "atoms: must be at least 2");
    assertRefused(check(file(yaml.replace("snpe", "tsnpe") + "atoms: 5\n")), "atoms: applies to snpe");
  }

  @Test
  void aSequentialMethodMakesOneRunPerObservationAndNpeOneForAll() throws Exception {
    String observations = """
        task: two_moons
        run: many
        observation: {values: [[0.1, 0.2], [0.3, -0.1], [0.0, 0.0]]}
        output: {directory: out}
        """;
    RunPlan npe = plan("run", "--config", file(observations).toString());
    assertEquals(1, npe.jobs().size());
    assertEquals(3, npe.jobs().get(0).observations().size());

    RunPlan tsnpe = plan("run", "--config", file(observations + "method: tsnpe\n").toString());
    List<RunPlan.Job> jobs = tsnpe.jobs();
    assertEquals(3, jobs.size());
    for (int i = 0; i < 3; i++) {
      RunPlan.Job job = jobs.get(i);
      assertEquals("many-x" + (i + 1), job.config().run());
      assertEquals(Method.TSNPE, job.config().method());
      assertEquals(1, job.observations().size());
      assertEquals(tsnpe.observations().get(i)[1], job.observations().get(0)[1]);
      assertEquals(tsnpe.out().resolve("observation-" + (i + 1)), job.out());
    }
  }

  @Test
  void theExampleFilesParseAndValidate() {
    RunPlan run = plan("run", "--config", EXAMPLES.resolve("run.yaml").toString());
    assertEquals("two_moons", run.task());
    assertEquals(10_000, run.config().simulations());
    assertEquals(SelectorType.UNIFORM, run.config().buffer().selector());

    RunPlan process = plan("run", "--config", EXAMPLES.resolve("process-simulator.yaml").toString());
    assertInstanceOf(BoxUniform.class, process.prior());
    assertEquals(10, process.simulator().xDimension());
    assertEquals(2, process.config().workerConfig().concurrency());
    assertEquals(3, process.config().workerConfig().maxAttempts());

    RunPlan oneShot = plan("run", "--config", EXAMPLES.resolve("one-shot-simulator.yaml").toString());
    assertEquals(10, oneShot.simulator().xDimension());
    assertInstanceOf(PersistentProcessSimulator.class, process.simulator());

    for (String example : new String[] {"run.yaml", "process-simulator.yaml", "one-shot-simulator.yaml"}) {
      RunCommandTest.Outcome o = check(EXAMPLES.resolve(example));
      assertEquals(0, o.exitCode(), o.err());
      assertTrue(o.out().contains("configuration OK"), o.out());
    }
  }

  @Test
  void explicitPriorsObservationFilesAndClientPropertiesReachTheRun() throws Exception {
    CsvMatrix.write(dir.resolve("observed.csv"), "data", new float[][] {{0.1f, 0.2f}, {0.3f, -0.1f}});
    Path file = file("""
        prior:
          lognormal: {mean: [0, 0], cov: [[1, 0], [0, 1]]}
        simulator: {task: two_moons}
        observation: {csv: observed.csv}
        kafka:
          bootstrap_servers: kafka.example.org:9093
          properties:
            security.protocol: SASL_SSL
            sasl.mechanism: PLAIN
            request.timeout.ms: 30000
        output: {directory: out}
        """);
    RunPlan plan = plan("run", "--config", file.toString());
    assertInstanceOf(LogNormal.class, plan.prior());
    assertEquals(2, plan.observations().size());
    assertEquals(-0.1f, plan.observations().get(1)[1]);
    assertEquals("kafka.example.org:9093", plan.config().bootstrapServers().orElseThrow());
    assertEquals(
        Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN", "request.timeout.ms", "30000"),
        plan.config().clientProperties());
  }

  @Test
  void clientPropertiesReachTheKafkaClients() throws Exception {
    Path missing = dir.resolve("no-such-truststore.p12");
    Path file = file("""
        task: two_moons
        kafka:
          bootstrap_servers: 127.0.0.1:1
          properties:
            security.protocol: SSL
            ssl.truststore.location: %s
            ssl.truststore.password: secret
        output: {directory: out}
        """.formatted(missing));
    // The clients, not the configuration check, try to load the TLS truststore.
    RunCommandTest.Outcome o = RunCommandTest.execute("run", "--config", file.toString(), "--no-dashboard");
    assertEquals(1, o.exitCode(), o.err());
    assertTrue(o.err().contains(missing.toString()), o.err());

    assertRefused(check(file("""
        task: two_moons
        kafka:
          bootstrap_servers: 127.0.0.1:1
          properties: {sasl.mechansim: PLAIN}
        output: {directory: out}
        """)), "kafka.properties.sasl.mechansim: not a Kafka producer, consumer or admin client setting");
  }

  @Test
  void aProcessSimulatorConfigRunsEndToEnd() throws Exception {
    // The example as written, but for the interpreter itself: a version manager's python3 shim
    // can cost a second per simulation on a loaded machine.
    Path config = FailingSimulatorRunTest.example(dir, "process-simulator.yaml",
        python(), EXAMPLES.resolve("python/persistent_simulator.py").toAbsolutePath().toString());
    Path out = dir.resolve("out");
    RunCommandTest.Outcome o = RunCommandTest.execute(
        "run", "--config", config.toString(),
        "--simulations", "100", "--posterior-samples", "500", "--patience", "2", "--no-dashboard");
    assertEquals(0, o.exitCode(), o.err());
    float[][] samples = CsvMatrix.read(out.resolve("posterior_samples.csv"));
    assertEquals(500, samples.length);
    BoxUniform prior = new BoxUniform(new double[] {0.1, 0.5}, new double[] {1.0, 2.0});
    for (float[] theta : samples) {
      assertTrue(prior.inSupport(theta));
    }
    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals(100, summary.get("samples").asInt());
    assertEquals(0, summary.get("failed_proposals").asInt());
    assertTrue(summary.get("training_steps").asLong() > 0);
    assertTrue(summary.get("seconds").get("simulation").asDouble() > 0, summary.toString());
    FailingSimulatorRunTest.assertPhasesConsistent(summary);
  }
}
