package org.streamsbi.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.broker.EmbeddedKafkaBroker;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.core.prior.BoxUniform;
import org.streamsbi.simulator.Simulator;

/**
 * Another client (kcat) writes well-formed samples into a running run's samples topic: one under
 * an id the run never issued, one under an issued id with another θ. Neither may count.
 */
class ForeignSampleTest {
  private static final int BUDGET = 200;

  @TempDir Path dir;

  @Test
  void samplesTheRunNeverAskedForAreDeadLettersAndCountTowardsNothing() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"))) {
      RunTopics topics = new RunTopics("foreign");
      AtomicReference<RunProgress> last = new AtomicReference<>();
      CompletableFuture<Void> written = new CompletableFuture<>();
      // The first simulation writes the foreign samples and waits until the run has read both, so
      // that they arrive mid-run, before the run's own samples resolve its budget.
      Simulator simulator = Simulator.of(2, 2, (theta, seed) -> {
        if (!written.isDone()) {
          synchronized (written) {
            if (!written.isDone()) {
              writeForeignSamples(broker.bootstrapServers(), topics.samples());
              awaitSampleLetters(last, 2);
              written.complete(null);
            }
          }
        }
        return new float[] {theta[0] + 0.1f * theta[1], theta[1]};
      });
      RunConfig config = RunConfig.custom(topics.run(), BUDGET).bootstrapServers(broker.bootstrapServers())
          .proposalsPerMessage(20).patience(2).build();
      try (RunResult result = new OnlineNpe(BoxUniform.of(2, -1, 1), simulator).onProgress(last::set).run(config)) {
        assertTrue(written.isDone(), "the foreign samples were written");
        RunSummary summary = result.summary();
        assertEquals(BUDGET, summary.samples(), "only the run's own samples are counted: " + summary);
        assertEquals(BUDGET, summary.trainingSamples() + summary.validationSamples(), "and only they are trained on");
        assertEquals(0, summary.duplicateSamples(), "the known id's foreign sample is not taken as a repeat");
        assertEquals(0, summary.nonFiniteSamples());
        RunProgress progress = last.get();
        assertEquals(2L, progress.deadLettersByKind().get("sample"), "by kind: " + progress.deadLettersByKind());
        List<String> reasons = progress.recentDeadLetters().stream().map(RunProgress.DeadLetter::reason).toList();
        assertTrue(reasons.stream().anyMatch(r -> r.contains("r9-00000042") && r.contains("never issued")), "reasons: " + reasons);
        assertTrue(reasons.stream().anyMatch(r -> r.contains("r1-00000000") && r.contains("θ [5.0, 5.0]")), "reasons: " + reasons);
      }
    }
  }

  private static void writeForeignSamples(String servers, String topic) {
    String lines =
        "{\"sample_id\":\"foreign-1\",\"run_id\":\"foreign\",\"round\":9,\"proposal_id\":\"r9-00000042\",\"seed\":1,"
            + "\"theta\":[0.5,0.5],\"x\":[1e30,1e30],\"worker\":\"kcat\"}\n"
            // θ outside the prior's box, so certainly not the θ the run issued under r1-00000000.
            + "{\"sample_id\":\"foreign-2\",\"run_id\":\"foreign\",\"round\":1,\"proposal_id\":\"r1-00000000\",\"seed\":2,"
            + "\"theta\":[5,5],\"x\":[1e30,1e30],\"worker\":\"kcat\"}\n";
    try {
      Path errors = Files.createTempFile("kcat", ".err");
      Process kcat = new ProcessBuilder("kcat", "-P", "-b", servers, "-t", topic, "-X", "acks=all")
          .redirectError(errors.toFile()).start();
      try (OutputStream in = kcat.getOutputStream()) {
        in.write(lines.getBytes(StandardCharsets.UTF_8));
      }
      if (!kcat.waitFor(30, TimeUnit.SECONDS) || kcat.exitValue() != 0) {
        throw new IllegalStateException("kcat failed: " + Files.readString(errors));
      }
      Files.delete(errors);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void awaitSampleLetters(AtomicReference<RunProgress> last, long letters) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      RunProgress p = last.get();
      if (p != null && p.deadLettersByKind().getOrDefault("sample", 0L) >= letters) {
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new IllegalStateException("the run never read the foreign samples' dead letters");
  }
}
