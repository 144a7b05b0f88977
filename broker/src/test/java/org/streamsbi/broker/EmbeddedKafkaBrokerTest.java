package org.streamsbi.broker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerTest {

  @TempDir Path dir;

  @Test
  void servesProduceAndConsumeAndKeepsDataAcrossRestart() throws Exception {
    RunTopics topics = new RunTopics("broker-test");
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      sent.add("record-" + i);
    }
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir)) {
      assertTrue(broker.bootstrapServers().startsWith("127.0.0.1:"));
      KafkaClients clients = new KafkaClients(broker.bootstrapServers());
      try (Admin admin = clients.admin()) {
        new TopicProvisioner(admin, Duration.ofSeconds(60)).provision(topics, 3);
        assertTrue(admin.listTopics().names().get().containsAll(topics.all()));
        // Made with the run's topics rather than at the first group join and transaction.
        assertTrue(
            admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get()
                .containsAll(List.of("__consumer_offsets", "__transaction_state")),
            "the coordinators' topics on a fresh broker");
      }
      try (KafkaProducer<String, byte[]> producer = clients.producer("test")) {
        for (String s : sent) {
          producer.send(new ProducerRecord<>(topics.samples(), s, s.getBytes(StandardCharsets.UTF_8))).get();
        }
      }
      assertEquals(sent, consumeAll(clients, topics.samples(), "first", sent.size()));
    }
    assertTrue(Files.exists(dir.resolve("log").resolve("meta.properties")));

    try (EmbeddedKafkaBroker restarted = EmbeddedKafkaBroker.start(dir)) {
      KafkaClients clients = new KafkaClients(restarted.bootstrapServers());
      try (Admin admin = clients.admin()) {
        new TopicProvisioner(admin, Duration.ofSeconds(60)).provision(topics, 3);
      }
      assertEquals(sent, consumeAll(clients, topics.samples(), "second", sent.size()));
    }
  }

  @Test
  void deadLettersCarryTheirReason() throws Exception {
    RunTopics topics = new RunTopics("dead-letter-test");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir)) {
      KafkaClients clients = new KafkaClients(broker.bootstrapServers());
      try (Admin admin = clients.admin()) {
        new TopicProvisioner(admin, Duration.ofSeconds(60)).provision(topics, 1);
      }
      byte[] payload = {1, 2, 3};
      try (KafkaProducer<String, byte[]> producer = clients.producer("dlq")) {
        new DeadLetters(producer, topics)
            .send("k", payload, "samples", "not an Arrow stream", Map.of("worker", "w1"));
      }
      try (KafkaConsumer<String, byte[]> consumer = clients.consumer("dlq-reader", "reader")) {
        consumer.subscribe(List.of(topics.deadLetters()));
        ConsumerRecord<String, byte[]> letter = pollOne(consumer);
        assertArrayEquals(payload, letter.value());
        assertEquals("not an Arrow stream", DeadLetters.header(letter.headers(), DeadLetters.REASON));
        assertEquals("samples", DeadLetters.header(letter.headers(), DeadLetters.KIND));
        assertEquals("w1", DeadLetters.header(letter.headers(), "streamsbi.worker"));
      }
    }
  }

  @Test
  void refusesIllegalRunNames() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new RunTopics("a run/with spaces"));
    assertTrue(e.getMessage().contains("run name"));
  }

  private static ConsumerRecord<String, byte[]> pollOne(KafkaConsumer<String, byte[]> consumer) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        return r;
      }
    }
    throw new AssertionError("no record arrived");
  }

  private static List<String> consumeAll(KafkaClients clients, String topic, String group, int n) {
    List<String> got = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = clients.consumer(group, group)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (got.size() < n && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          got.add(new String(r.value(), StandardCharsets.UTF_8));
        }
      }
    }
    got.sort((a, b) -> Integer.compare(index(a), index(b)));
    return got;
  }

  private static int index(String record) {
    return Integer.parseInt(record.substring(record.indexOf('-') + 1));
  }
}
