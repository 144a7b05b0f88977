package org.streamsbi.simulator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;

/** Reads a run's events topic. */
final class Events {
  private Events() {}

  /** The first event containing {@code text}, or an AssertionError after the timeout. */
  static String await(KafkaClients clients, RunTopics topics, String text, Duration timeout) {
    try (KafkaConsumer<String, byte[]> reader = clients.reader("test-events")) {
      TopicPartition tp = new TopicPartition(topics.events(), 0);
      reader.assign(List.of(tp));
      reader.seekToBeginning(List.of(tp));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
          String value = new String(r.value(), StandardCharsets.UTF_8);
          if (value.contains(text)) {
            return value;
          }
        }
      }
    }
    throw new AssertionError("no event containing " + text + " on " + topics.events());
  }
}
