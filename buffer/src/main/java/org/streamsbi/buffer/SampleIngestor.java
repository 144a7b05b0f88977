package org.streamsbi.buffer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.streamsbi.broker.DeadLetters;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.broker.TopicFollower;
import org.streamsbi.core.Sample;
import org.streamsbi.core.arrow.MalformedBatchException;
import org.streamsbi.core.arrow.SampleCodec;

/**
 * Feeds a replay buffer from the run's samples topic on its own thread. Reads every partition
 * from the beginning, so a new buffer rebuilds itself from the Kafka log. What the buffer cannot
 * use (an undecodable batch, NaN or ±∞) goes to the dead-letter topic with its reason.
 */
public final class SampleIngestor implements Runnable, AutoCloseable {
  private final ReplayBuffer buffer;
  private final SampleCodec codec;
  private final TopicFollower follower;
  private final KafkaProducer<String, byte[]> producer;
  private final DeadLetters deadLetters;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();

  public SampleIngestor(KafkaClients clients, RunTopics topics, ReplayBuffer buffer) {
    this.buffer = buffer;
    this.codec = new SampleCodec(buffer.thetaDimension(), buffer.xDimension());
    this.follower = new TopicFollower(clients, topics.samples(), topics.run() + "-buffer", this::ingest);
    this.producer = clients.producer(topics.run() + "-buffer");
    this.deadLetters = new DeadLetters(producer, topics);
  }

  @Override
  public void run() {
    try {
      follower.run();
    } finally {
      producer.close();
    }
  }

  private void ingest(ConsumerRecord<String, byte[]> record) {
    String source = record.topic() + "/" + record.partition() + "@" + record.offset();
    List<Sample> samples;
    try {
      samples = codec.decode(record.value());
    } catch (MalformedBatchException e) {
      malformed.incrementAndGet();
      deadLetters.send(
          record.key(), record.value(), "samples", "malformed sample batch: " + e.getMessage(),
          Map.of("offset", source));
      return;
    }
    batches.incrementAndGet();
    for (Sample sample : samples) {
      if (buffer.insert(sample) == InsertOutcome.NON_FINITE) {
        deadLetters.send(
            sample.sampleId(),
            codec.encode(List.of(sample)),
            "sample",
            "sample holds NaN or infinite values",
            Map.of("offset", source, "sample-id", sample.sampleId(), "proposal-id", sample.proposalId()));
      }
    }
  }

  /** Sample batches decoded so far. */
  public long batches() {
    return batches.get();
  }

  /** Batches that could not be decoded and went to the dead-letter topic. */
  public long malformedBatches() {
    return malformed.get();
  }

  @Override
  public void close() {
    follower.close();
  }
}
