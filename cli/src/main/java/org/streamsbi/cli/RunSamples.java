package org.streamsbi.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.core.Sample;
import org.streamsbi.core.arrow.MalformedBatchException;
import org.streamsbi.core.arrow.SampleCodec;

/**
 * Every sample a run wrote, read from its samples topic as the replay buffer reads it when it
 * follows a run: read_committed, each partition from the beginning, up to the end it had when
 * reading started. A batch that cannot be decoded was a dead letter of the run already; it is
 * counted and skipped.
 *
 * @param samples in partition order
 * @param malformedBatches batches that could not be decoded
 */
record RunSamples(List<Sample> samples, long malformedBatches) {
  /** What {@link RunTopics#samples} names. */
  private static final Pattern SAMPLES_TOPIC = Pattern.compile("streamsbi\\.(.+)\\.samples");
  private static final Duration POLL = Duration.ofMillis(200);
  /** A finished run's topic is read in seconds; this only bounds a cluster that stops answering. */
  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  /**
   * @throws IllegalArgumentException when the cluster has no samples topic for the run, naming
   *     the runs it has
   */
  static RunSamples read(KafkaClients clients, RunTopics topics, int thetaDimension, int xDimension) {
    SampleCodec codec = new SampleCodec(thetaDimension, xDimension);
    try (KafkaConsumer<String, byte[]> consumer = clients.reader(topics.run() + "-train")) {
      List<PartitionInfo> infos = consumer.listTopics(TIMEOUT).get(topics.samples());
      if (infos == null || infos.isEmpty()) {
        throw new IllegalArgumentException("--from-run: the cluster at " + clients.bootstrapServers()
            + " has no topic " + topics.samples() + "; its runs: " + runs(clients));
      }
      List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      // Under read_committed, the last stable offset: the end of what committed transactions wrote.
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
      List<Sample> samples = new ArrayList<>();
      long malformed = 0;
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (!caughtUp(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("reading " + topics.samples() + " did not reach its end in " + TIMEOUT);
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
          if (record.offset() >= end.get(new TopicPartition(record.topic(), record.partition()))) {
            continue;
          }
          try {
            samples.addAll(codec.decode(record.value()));
          } catch (MalformedBatchException e) {
            malformed++;
          }
        }
      }
      return new RunSamples(List.copyOf(samples), malformed);
    }
  }

  private static boolean caughtUp(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey(), TIMEOUT) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** The run names the cluster holds samples topics for. */
  private static Set<String> runs(KafkaClients clients) {
    Set<String> runs = new TreeSet<>();
    try (Admin admin = clients.admin()) {
      for (String topic : admin.listTopics().names().get()) {
        Matcher m = SAMPLES_TOPIC.matcher(topic);
        if (m.matches()) {
          runs.add(m.group(1));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // Only the message is at stake: the missing topic is the error to report.
      return Set.of("(cannot list them: " + e.getMessage() + ")");
    }
    return runs;
  }
}
