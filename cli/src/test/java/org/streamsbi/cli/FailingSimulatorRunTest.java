package org.streamsbi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.streamsbi.broker.DeadLetters;
import org.streamsbi.broker.EmbeddedKafkaBroker;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.core.CsvMatrix;

/**
 * The shipped process example, with defaults as written, run with programs that fail: they end as
 * dead letters and the run ends, with summary.json written either way.
 */
class FailingSimulatorRunTest {
  static final Path EXAMPLES = Path.of("..", "examples");

  @TempDir Path dir;

  /** The process example {@code file} with {@code program} as its command and its output in {@code dir/out}. */
  static Path example(Path dir, String file, String... program) throws Exception {
    String example = Files.readString(EXAMPLES.resolve(file));
    Matcher command = Pattern.compile("command: \\[[^]]*]").matcher(example);
    assertTrue(command.find(), example);
    return Files.writeString(dir.resolve("process.yaml"), command
        .replaceFirst(Matcher.quoteReplacement("command: [" + String.join(", ", program) + "]"))
        .replaceFirst("directory: \\.\\./runs/\\S+", "directory: out"));
  }

  private static String script(String name) throws URISyntaxException {
    return Path.of(FailingSimulatorRunTest.class.getResource("/simulators/" + name).toURI()).toString();
  }

  // Not the bound under test: a run that does not end would otherwise hold the build forever.
  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aProgramThatAlwaysExitsWithAnErrorStopsTheRunWithItsStderrASummaryAndEveryProposalADeadLetter()
      throws Exception {
    Path config = example(dir, "process-simulator.yaml", RunConfigFileTest.python(), script("exits-3.py"));
    long started = System.nanoTime();
    RunCommandTest.Outcome o =
        RunCommandTest.execute("run", "--config", config.toString(), "--simulations", "100", "--no-dashboard");
    double seconds = (System.nanoTime() - started) / 1e9;

    assertEquals(1, o.exitCode(), o.err());
    assertTrue(seconds < Duration.ofMinutes(1).toSeconds(), "a broken simulator ends the run, after " + seconds + " s");
    assertTrue(o.err().contains("the simulator looks broken"), o.err());
    assertTrue(o.err().contains("exit status 3"), o.err());
    assertTrue(o.err().contains("No module named 'oscillator_solver'"), "the stderr tail: " + o.err());
    JsonNode summary = new ObjectMapper().readTree(dir.resolve("out").resolve("summary.json").toFile());
    assertEquals(100, summary.get("simulations").asInt());
    assertEquals(0, summary.get("samples").asInt());
    long failed = summary.get("failed_proposals").asLong();
    assertTrue(failed >= 20 && failed <= 100, "failed proposals " + failed);
    assertEquals(failed, summary.get("failed_proposals_by_failure").get("failed").asLong(), summary.toString());
    assertEquals(100, failed + summary.get("abandoned_proposals").asLong(), summary.toString());
    assertTrue(summary.get("failure").asText().contains("exit status 3"), summary.toString());
    assertPhasesConsistent(summary);

    Map<String, Long> endings = new TreeMap<>();
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("out").resolve("kafka"))) {
      Map<String, String> failureById = new HashMap<>();
      for (ConsumerRecord<String, byte[]> letter : read(broker, new RunTopics("oscillator-example").deadLetters())) {
        assertEquals("proposal", DeadLetters.header(letter.headers(), DeadLetters.KIND));
        String failure = DeadLetters.header(letter.headers(), "streamsbi.failure");
        String reason = DeadLetters.header(letter.headers(), DeadLetters.REASON);
        assertTrue(failure.equals("abandoned")
            ? reason.startsWith("not simulated: the run stopped: ") && reason.contains("the simulator looks broken")
            : "3".equals(DeadLetters.header(letter.headers(), "streamsbi.exit-code")), failure + ": " + reason);
        failureById.putIfAbsent(DeadLetters.header(letter.headers(), DeadLetters.PROPOSAL_ID), failure);
      }
      failureById.values().forEach(f -> endings.merge(f, 1L, Long::sum));
    }
    assertEquals(Map.of("failed", failed, "abandoned", 100 - failed), endings, "proposals by their dead letters");
  }

  /** Every committed record of {@code topic}, from the beginning to its end now. */
  private static List<ConsumerRecord<String, byte[]>> read(EmbeddedKafkaBroker broker, String topic) {
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaClients(broker.bootstrapServers()).reader("test-reader")) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        assertTrue(System.nanoTime() < deadline, "reading " + topic + " to " + end);
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  /** The shipped examples of both protocols, each with a program that diverges for 30 % of θ. */
  @ParameterizedTest
  @CsvSource({
    "one-shot-simulator.yaml, diverges-at-low-damping.py",
    "process-simulator.yaml, diverges-at-low-damping-persistent.py"
  })
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aSolverThatFailsForAShareOfThetaCompletesItsBudgetWithTheDefaults(String file, String program) throws Exception {
    Path config = example(dir, file, RunConfigFileTest.python(), script(program),
        EXAMPLES.resolve("python").toAbsolutePath().normalize().toString());
    RunCommandTest.Outcome o = RunCommandTest.execute("run", "--config", config.toString(),
        "--simulations", "100", "--posterior-samples", "500", "--patience", "2", "--no-dashboard");

    assertEquals(0, o.exitCode(), o.err());
    JsonNode summary = new ObjectMapper().readTree(dir.resolve("out").resolve("summary.json").toFile());
    long samples = summary.get("samples").asLong();
    long failed = summary.get("failed_proposals").asLong();
    assertEquals(100, samples + failed, summary.toString());
    assertEquals(failed, summary.get("failed_proposals_by_failure").get("failed").asLong(), summary.toString());
    // 30 % of the prior fails: 30 ± 14 (three standard deviations) of 100.
    assertTrue(failed >= 16 && failed <= 44, "failed proposals " + failed);
    assertTrue(summary.get("training_steps").asLong() > 0);
    assertPhasesConsistent(summary);
    float[][] draws = CsvMatrix.read(dir.resolve("out").resolve("posterior_samples.csv"));
    assertEquals(500, draws.length);
  }

  /**
   * Every phase is a duration within the run: none negative, none longer than the whole, and the
   * parts of one phase no longer than it.
   */
  static void assertPhasesConsistent(JsonNode summary) {
    JsonNode s = summary.get("seconds");
    double total = s.get("total").asDouble();
    assertTrue(total > 0, s.toString());
    for (String phase : List.of("broker_start", "simulation", "waiting_for_watermark", "training", "waiting_for_data")) {
      double seconds = s.get(phase).asDouble();
      assertTrue(seconds >= 0 && seconds <= total, phase + " " + seconds + " of " + s);
    }
    assertTrue(s.get("waiting_for_data").asDouble() <= s.get("training").asDouble(), s.toString());
    assertTrue(s.get("broker_start").asDouble() + s.get("simulation").asDouble() <= total, s.toString());
    assertTrue(s.get("broker_start").asDouble() + s.get("waiting_for_watermark").asDouble()
        + s.get("training").asDouble() <= total, s.toString());
  }
}
