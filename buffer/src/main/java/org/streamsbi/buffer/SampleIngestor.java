package org.streamsbi.buffer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.streamsbi.broker.DeadLetters;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.core.Sample;
import org.streamsbi.core.arrow.MalformedBatchException;
import org.streamsbi.core.arrow.SampleCodec;

/**
 * Feeds a replay buffer from the run's samples topic. Reads each partition from the offset the
 * buffer already covers (a restored snapshot), or from the beginning, so a new buffer rebuilds
 * itself from the Kafka log. What the buffer cannot use (an undecodable batch, a sample its
 * {@link SampleAdmission} refuses, NaN or ±∞) goes to the dead-letter topic with its reason.
 *
 * <p>The thread that runs it only polls; a second thread it starts decodes and inserts, so that
 * fetching the next records overlaps decoding the last ones. A small queue between them bounds
 * the records held in memory and lets a full FIFO or FIRO buffer hold back the poll.
 */
public final class SampleIngestor implements Runnable, AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(100);
  private static final int POLLS_IN_FLIGHT = 4;

  private final ReplayBuffer buffer;
  private final SampleAdmission admission;
  private final SampleCodec codec;
  private final KafkaConsumer<String, byte[]> consumer;
  private final String topic;
  private final KafkaProducer<String, byte[]> producer;
  private final DeadLetters deadLetters;
  private final BlockingQueue<ConsumerRecords<String, byte[]>> polled =
      new ArrayBlockingQueue<>(POLLS_IN_FLIGHT);
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicReference<RuntimeException> insertFailure = new AtomicReference<>();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private volatile Thread inserter;
  private volatile boolean caughtUp;

  public SampleIngestor(KafkaClients clients, RunTopics topics, ReplayBuffer buffer) {
    this(clients, topics, buffer, SampleAdmission.ALL);
  }

  /** Inserts only the samples {@code admission} admits; the others become dead letters with its reason. */
  public SampleIngestor(KafkaClients clients, RunTopics topics, ReplayBuffer buffer, SampleAdmission admission) {
    this.buffer = buffer;
    this.admission = admission;
    this.codec = new SampleCodec(buffer.thetaDimension(), buffer.xDimension());
    this.topic = topics.samples();
    this.consumer = clients.reader(topics.run() + "-buffer");
    this.producer = clients.producer(topics.run() + "-buffer");
    this.deadLetters = new DeadLetters(producer, topics);
  }

  @Override
  public void run() {
    Thread insertThread = new Thread(this::insertLoop, Thread.currentThread().getName() + "-insert");
    insertThread.setDaemon(true);
    inserter = insertThread;
    insertThread.start();
    try {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      Map<Integer, Long> covered = buffer.offsets();
      for (TopicPartition partition : partitions) {
        Long next = covered.get(partition.partition());
        if (next == null) {
          consumer.seekToBeginning(List.of(partition));
        } else {
          consumer.seek(partition, next);
        }
      }
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      boolean read = false;
      while (running.get()) {
        ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
        while (!records.isEmpty() && !polled.offer(records, 100, TimeUnit.MILLISECONDS)) {
          throwIfInsertsFailed();
        }
        if (!read && partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p))) {
          read = true;
          // An empty poll after everything read so far: the inserter marks the log caught up on reaching it.
          polled.put(ConsumerRecords.empty());
        }
        throwIfInsertsFailed();
      }
    } catch (WakeupException e) {
      if (running.get()) {
        throw e;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      running.set(false);
      insertThread.interrupt();
      try {
        insertThread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      consumer.close();
      producer.close();
    }
  }

  private void throwIfInsertsFailed() {
    RuntimeException failure = insertFailure.get();
    if (failure != null) {
      throw new IllegalStateException("inserting into the replay buffer failed", failure);
    }
  }

  private void insertLoop() {
    try {
      while (running.get()) {
        ConsumerRecords<String, byte[]> records = polled.take();
        if (records.isEmpty()) {
          caughtUp = true;
        }
        for (ConsumerRecord<String, byte[]> record : records) {
          ingest(record);
        }
      }
    } catch (InterruptedException | InterruptException e) {
      // Closing: what was inserted is covered by the buffer's offsets, the rest is re-read.
    } catch (RuntimeException e) {
      insertFailure.set(e);
    } finally {
      // The interrupt that ended the loop would make the producer's close throw.
      Thread.interrupted();
    }
  }

  private void ingest(ConsumerRecord<String, byte[]> record) throws InterruptedException {
    String source = record.topic() + "/" + record.partition() + "@" + record.offset();
    List<Sample> samples;
    try {
      samples = codec.decode(record.value());
    } catch (MalformedBatchException e) {
      deadLetters.send(
          record.key(), record.value(), "samples", "malformed sample batch: " + e.getMessage(),
          Map.of("offset", source));
      buffer.skipped(record.partition(), record.offset() + 1);
      malformed.incrementAndGet();
      return;
    }
    samples = admitted(samples, source);
    if (samples.isEmpty()) {
      buffer.skipped(record.partition(), record.offset() + 1);
      batches.incrementAndGet();
      return;
    }
    InsertOutcome[] outcomes = buffer.insertAll(samples, record.partition(), record.offset() + 1);
    for (int i = 0; i < outcomes.length; i++) {
      if (outcomes[i] == InsertOutcome.NON_FINITE) {
        Sample sample = samples.get(i);
        deadLetters.send(
            sample.sampleId(),
            codec.encode(List.of(sample)),
            "sample",
            "sample holds NaN or infinite values",
            Map.of("offset", source, "sample-id", sample.sampleId(), "proposal-id", sample.proposalId()));
      }
    }
    batches.incrementAndGet();
  }

  /** The samples of a batch that {@link #admission} admits; each refused one becomes a dead letter. */
  private List<Sample> admitted(List<Sample> samples, String source) {
    List<Sample> kept = null;
    for (int i = 0; i < samples.size(); i++) {
      Sample sample = samples.get(i);
      Optional<String> refusal = admission.refusal(sample);
      if (refusal.isPresent()) {
        if (kept == null) {
          kept = new ArrayList<>(samples.subList(0, i));
        }
        deadLetters.send(sample.sampleId(), codec.encode(List.of(sample)), "sample", refusal.get(),
            Map.of("offset", source, "sample-id", sample.sampleId(), "proposal-id", sample.proposalId()));
        refused.incrementAndGet();
      } else if (kept != null) {
        kept.add(sample);
      }
    }
    return kept == null ? samples : kept;
  }

  /** Samples the admission refused, each now a dead letter. */
  public long refusedSamples() {
    return refused.get();
  }

  /**
   * Whether every record the samples topic held when ingestion started has been offered to the
   * buffer: a buffer rebuilt from the log holds what it can of it.
   */
  public boolean caughtUp() {
    return caughtUp;
  }

  /** Sample batches decoded so far. */
  public long batches() {
    return batches.get();
  }

  /** Batches that could not be decoded and went to the dead-letter topic. */
  public long malformedBatches() {
    return malformed.get();
  }

  /** Stops after the current poll and record, or a wait for room in a full FIFO or FIRO buffer. */
  @Override
  public void close() {
    if (running.compareAndSet(true, false)) {
      consumer.wakeup();
      Thread t = inserter;
      if (t != null) {
        t.interrupt();
      }
    }
  }
}
