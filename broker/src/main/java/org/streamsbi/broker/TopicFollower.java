package org.streamsbi.broker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Reads every partition of a topic from its beginning, and then whatever arrives, until closed.
 * It belongs to no consumer group and commits nothing: whoever follows a topic rebuilds its state
 * from the log.
 */
public final class TopicFollower implements Runnable, AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(100);

  private final KafkaConsumer<String, byte[]> consumer;
  private final String topic;
  private final Consumer<ConsumerRecord<String, byte[]>> handler;
  private final AtomicBoolean running = new AtomicBoolean(true);

  public TopicFollower(KafkaClients clients, String topic, String clientId, Consumer<ConsumerRecord<String, byte[]>> handler) {
    this.consumer = clients.reader(clientId);
    this.topic = topic;
    this.handler = handler;
  }

  @Override
  public void run() {
    try {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (running.get()) {
        consumer.poll(POLL).forEach(handler);
      }
    } catch (WakeupException e) {
      if (running.get()) {
        throw e;
      }
    } finally {
      consumer.close();
    }
  }

  /** Stops after the current poll. */
  @Override
  public void close() {
    if (running.compareAndSet(true, false)) {
      consumer.wakeup();
    }
  }
}
