package org.streamsbi.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.broker.DeadLetters;
import org.streamsbi.broker.EmbeddedKafkaBroker;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.broker.TopicProvisioner;
import org.streamsbi.core.Sample;
import org.streamsbi.core.arrow.SampleCodec;

class SampleIngestorTest {

  @TempDir Path dir;

  @Test
  void feedsTheBufferAndSetsAsideWhatItCannotUse() throws Exception {
    RunTopics topics = new RunTopics("ingest-test");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir)) {
      KafkaClients clients = new KafkaClients(broker.bootstrapServers());
      try (Admin admin = clients.admin()) {
        new TopicProvisioner(admin, Duration.ofSeconds(60)).provision(topics, 2);
      }
      SampleCodec codec = new SampleCodec(1, 2);
      List<Sample> good = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        good.add(ReplayBufferTest.sample("s" + i, i, i));
      }
      try (KafkaProducer<String, byte[]> producer = clients.producer("test")) {
        producer.send(new ProducerRecord<>(topics.samples(), "a", codec.encode(good.subList(0, 200)))).get();
        producer.send(new ProducerRecord<>(topics.samples(), "b", codec.encode(good.subList(100, 300)))).get();
        producer.send(new ProducerRecord<>(topics.samples(), "c", "garbage".getBytes(StandardCharsets.UTF_8))).get();
        producer.send(new ProducerRecord<>(topics.samples(), "d", codec.encode(List.of(ReplayBufferTest.sample("nan", Float.NaN, 1))))).get();
      }

      ReplayBuffer buffer = new ReplayBuffer(new ReplayBufferConfig(10_000, 1, 0.1), 1, 2);
      SampleIngestor ingestor = new SampleIngestor(clients, topics, buffer);
      Thread thread = new Thread(ingestor, "ingestor");
      thread.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while ((buffer.distinctSamples() < 301 || ingestor.malformedBatches() < 1) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      ingestor.close();
      thread.join(10_000);

      assertEquals(300, buffer.trainingSize() + buffer.validationSize());
      assertEquals(100, buffer.duplicates());
      assertEquals(1, buffer.nonFinite());
      assertEquals(1, ingestor.malformedBatches());

      List<String> reasons = new ArrayList<>();
      try (KafkaConsumer<String, byte[]> consumer = clients.consumer("dlq", "dlq")) {
        consumer.subscribe(List.of(topics.deadLetters()));
        deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (reasons.size() < 2 && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            reasons.add(DeadLetters.header(r.headers(), DeadLetters.REASON));
            if (r.key().equals("nan")) {
              assertEquals("nan", codec.decode(r.value()).get(0).sampleId());
            }
          }
        }
      }
      assertEquals(2, reasons.size());
      assertTrue(reasons.stream().anyMatch(r -> r.startsWith("malformed sample batch: not a readable Arrow")), reasons.toString());
      assertTrue(reasons.contains("sample holds NaN or infinite values"), reasons.toString());

      // A restarted trainer resumes from the snapshot's offsets: it reads only the new records.
      Path snapshot = dir.resolve("buffer.snapshot");
      buffer.snapshot(snapshot);
      Minibatch before = buffer.trainingSet();
      buffer.close();
      List<Sample> more = new ArrayList<>();
      for (int i = 300; i < 350; i++) {
        more.add(ReplayBufferTest.sample("s" + i, i, i));
      }
      try (KafkaProducer<String, byte[]> producer = clients.producer("test")) {
        producer.send(new ProducerRecord<>(topics.samples(), "e", codec.encode(more))).get();
        producer.send(new ProducerRecord<>(topics.samples(), "f", codec.encode(good.subList(0, 10)))).get();
      }
      try (ReplayBuffer restored =
          ReplayBuffer.restore(snapshot, new ReplayBufferConfig(10_000, 1, 0.1), 1, 2)) {
        assertEquals(before.size(), restored.trainingSet().size());
        SampleIngestor resumed = new SampleIngestor(clients, topics, restored);
        Thread again = new Thread(resumed, "ingestor-resumed");
        again.start();
        deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (resumed.batches() < 2 && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        Thread.sleep(300);
        resumed.close();
        again.join(10_000);
        assertEquals(2, resumed.batches(), "re-read records the snapshot covers");
        assertEquals(0, resumed.malformedBatches());
        assertEquals(350, restored.trainingSize() + restored.validationSize());
        assertEquals(110, restored.duplicates());
        assertEquals(1, restored.nonFinite());
      }
    }
  }

  @Test
  void refusedSamplesAreDeadLettersAndTheLogIsReadToItsEnd() throws Exception {
    RunTopics topics = new RunTopics("admission-test");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir)) {
      KafkaClients clients = new KafkaClients(broker.bootstrapServers());
      try (Admin admin = clients.admin()) {
        new TopicProvisioner(admin, Duration.ofSeconds(60)).provision(topics, 2);
      }
      SampleCodec codec = new SampleCodec(1, 2);
      List<Sample> mixed = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        mixed.add(ReplayBufferTest.sample((i % 5 == 0 ? "foreign" : "own") + i, i, i));
      }
      try (KafkaProducer<String, byte[]> producer = clients.producer("test")) {
        producer.send(new ProducerRecord<>(topics.samples(), "a", codec.encode(mixed))).get();
        producer.send(new ProducerRecord<>(topics.samples(), "b", codec.encode(mixed.subList(0, 1)))).get();
      }
      SampleAdmission ownOnly = sample -> sample.sampleId().startsWith("foreign")
          ? java.util.Optional.of("not ours: " + sample.sampleId()) : java.util.Optional.empty();
      try (ReplayBuffer buffer = new ReplayBuffer(new ReplayBufferConfig(1_000, 1, 0.1), 1, 2)) {
        SampleIngestor ingestor = new SampleIngestor(clients, topics, buffer, ownOnly);
        Thread thread = new Thread(ingestor, "ingestor");
        thread.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!ingestor.caughtUp() && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertTrue(ingestor.caughtUp(), "the ingestor read what the topic held when it started");
        assertEquals(40, buffer.distinctSamples(), "every admitted sample is in once caught up");
        assertEquals(11, ingestor.refusedSamples(), "ten refused in the first record, one in the second");
        ingestor.close();
        thread.join(10_000);
      }
      List<String> reasons = new ArrayList<>();
      try (KafkaConsumer<String, byte[]> consumer = clients.consumer("dlq", "dlq")) {
        consumer.subscribe(List.of(topics.deadLetters()));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (reasons.size() < 11 && System.nanoTime() < deadline) {
          consumer.poll(Duration.ofMillis(200)).forEach(r -> reasons.add(DeadLetters.header(r.headers(), DeadLetters.REASON)));
        }
      }
      assertEquals(11, reasons.size());
      assertTrue(reasons.contains("not ours: foreign0"), reasons.toString());
    }
  }
}
