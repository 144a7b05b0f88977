package org.streamsbi.controller;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.streamsbi.broker.DeadLetters;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.broker.TopicFollower;

/**
 * Follows the dead-letter topic and remembers which proposals workers gave up on, so that a round
 * knows it is complete when every proposal is either a sample or a dead letter.
 */
final class FailedProposals implements Runnable, AutoCloseable {
  private final TopicFollower follower;
  private final Set<String> ids = ConcurrentHashMap.newKeySet();

  FailedProposals(KafkaClients clients, RunTopics topics) {
    this.follower = new TopicFollower(clients, topics.deadLetters(), topics.run() + "-controller", this::record);
  }

  private void record(ConsumerRecord<String, byte[]> letter) {
    String id = DeadLetters.header(letter.headers(), DeadLetters.PROPOSAL_ID);
    if (id != null && "proposal".equals(DeadLetters.header(letter.headers(), DeadLetters.KIND))) {
      ids.add(id);
    }
  }

  @Override
  public void run() {
    follower.run();
  }

  /** Distinct proposals set aside by workers so far. */
  int count() {
    return ids.size();
  }

  @Override
  public void close() {
    follower.close();
  }
}
