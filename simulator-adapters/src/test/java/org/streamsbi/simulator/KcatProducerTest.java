package org.streamsbi.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.broker.DeadLetters;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.buffer.ReplayBufferConfig;
import org.streamsbi.buffer.SampleIngestor;
import org.streamsbi.core.arrow.SampleCodec;

/** A solver with its own Kafka client (kcat here) produces JSON samples that reach the buffer. */
class KcatProducerTest {
  private static final int SAMPLES = 20;

  @TempDir Path dir;

  @Test
  void kcatProducedJsonSamplesReachTheBuffer() throws Exception {
    RunTopics topics = SharedBroker.provision("kcat", 2);
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < SAMPLES; i += 2) {
      // two samples per message as a JSON array, the first with every field, the second minimal
      lines.append(String.format(Locale.ROOT,
          "[{\"sample_id\":\"kcat-%d\",\"run_id\":\"kcat\",\"round\":1,\"proposal_id\":\"kcat-%d\",\"seed\":%d,"
              + "\"theta\":[%d.5,1],\"x\":[%d,2,3],\"worker\":\"kcat\",\"simulation_seconds\":0.5},"
              + "{\"run_id\":\"kcat\",\"proposal_id\":\"kcat-%d\",\"seed\":%d,\"theta\":[0,1],\"x\":[1,2,3]}]%n",
          i, i, i, i, i, i + 1, i + 1));
    }
    lines.append("{\"run_id\":\"kcat\",\"proposal_id\":\"kcat-0\",\"seed\":0,\"theta\":[0,1],\"x\":[1,2,3]}\n");
    lines.append("{\"run_id\":\"kcat\",\"theta\":[0,1],\"x\":[1,2,3]}\n");
    Path errors = dir.resolve("kcat.err");
    Process kcat =
        new ProcessBuilder("kcat", "-P", "-b", SharedBroker.bootstrapServers(), "-t", topics.samples(), "-X", "acks=all")
            .redirectError(errors.toFile()).start();
    try (OutputStream in = kcat.getOutputStream()) {
      in.write(lines.toString().getBytes(StandardCharsets.UTF_8));
    }
    assertTrue(kcat.waitFor(30, TimeUnit.SECONDS), "kcat did not finish");
    assertEquals(0, kcat.exitValue(), Files.readString(errors));

    KafkaClients clients = SharedBroker.clients();
    try (ReplayBuffer buffer = new ReplayBuffer(new ReplayBufferConfig(1000, 10, 0.2), 2, 3)) {
      SampleIngestor ingestor = new SampleIngestor(clients, topics, buffer);
      Thread thread = new Thread(ingestor, "ingestor");
      thread.start();
      try {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while ((buffer.distinctSamples() < SAMPLES || ingestor.malformedBatches() < 1) && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
      } finally {
        ingestor.close();
        thread.join(10_000);
      }
      assertEquals(SAMPLES, buffer.distinctSamples(), "every JSON sample arrives once; the repeated id is dropped");
      assertEquals(1, ingestor.malformedBatches());
    }
    RunRecords letters = RunRecords.read(clients, topics, new SampleCodec(2, 3), r -> !r.otherLetters.isEmpty(), Duration.ofSeconds(20));
    String reason = RunRecords.header(letters.otherLetters.get(0), DeadLetters.REASON);
    assertTrue(reason.contains("missing field 'proposal_id'"), reason);
  }
}
