package org.streamsbi.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.streamsbi.broker.DeadLetters;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.core.Sample;
import org.streamsbi.core.arrow.MalformedBatchException;
import org.streamsbi.core.arrow.SampleCodec;

/**
 * What a run's samples and dead-letter topics hold, read_committed, as a downstream reader sees
 * them. Undecodable sample batches are the ingestor's business (it dead-letters them) and skipped.
 */
final class RunRecords {
  final Map<String, List<Sample>> samplesByProposal = new HashMap<>();
  final Map<String, Integer> timesSeen = new HashMap<>();
  final Map<String, Headers> proposalLetters = new HashMap<>();
  final List<String> duplicateLetters = new ArrayList<>();
  final List<Headers> otherLetters = new ArrayList<>();

  /** Proposals that ended as samples or a dead letter. */
  int resolved() {
    java.util.Set<String> ids = new java.util.HashSet<>(samplesByProposal.keySet());
    ids.addAll(proposalLetters.keySet());
    return ids.size();
  }

  /** No proposal ended twice: samples once at most, one dead letter at most, never both. */
  void assertNoneEndedTwice() {
    assertEquals(List.of(), duplicateSamples());
    assertEquals(List.of(), duplicateLetters);
    Set<String> both = new java.util.HashSet<>(samplesByProposal.keySet());
    both.retainAll(proposalLetters.keySet());
    assertEquals(Set.of(), both, "proposals that ended as samples and as a dead letter");
  }

  List<String> duplicateSamples() {
    return timesSeen.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
  }

  static String header(Headers headers, String name) {
    return DeadLetters.header(headers, name);
  }

  /** Reads both topics from the beginning until {@code done} holds or the timeout passes. */
  static RunRecords read(KafkaClients clients, RunTopics topics, SampleCodec codec, Predicate<RunRecords> done, Duration timeout) {
    RunRecords r = new RunRecords();
    try (KafkaConsumer<String, byte[]> reader = clients.reader("test-reader")) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : List.of(topics.samples(), topics.deadLetters())) {
        reader.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      }
      reader.assign(partitions);
      reader.seekToBeginning(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!done.test(r) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(200))) {
          r.add(record, topics, codec);
        }
      }
      // A little longer, so that anything arriving late (a duplicate) is seen too.
      long settle = System.nanoTime() + Duration.ofSeconds(1).toNanos();
      while (System.nanoTime() < settle) {
        for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(200))) {
          r.add(record, topics, codec);
        }
      }
    }
    return r;
  }

  private void add(ConsumerRecord<String, byte[]> record, RunTopics topics, SampleCodec codec) {
    if (record.topic().equals(topics.samples())) {
      List<Sample> samples;
      try {
        samples = codec.decode(record.value());
      } catch (MalformedBatchException e) {
        return;
      }
      for (Sample s : samples) {
        samplesByProposal.computeIfAbsent(s.proposalId(), k -> new ArrayList<>()).add(s);
        timesSeen.merge(s.sampleId(), 1, Integer::sum);
      }
    } else if ("proposal".equals(header(record.headers(), DeadLetters.KIND))) {
      String id = header(record.headers(), DeadLetters.PROPOSAL_ID);
      if (proposalLetters.put(id, record.headers()) != null) {
        duplicateLetters.add(id);
      }
    } else {
      otherLetters.add(record.headers());
    }
  }
}
