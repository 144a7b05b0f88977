package org.streamsbi.controller;

import java.util.List;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.streamsbi.broker.Acknowledgements;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.core.Proposal;
import org.streamsbi.core.arrow.ProposalCodec;

/**
 * Sends proposals to the run's proposals topic in Arrow batches. A batch is the unit a worker
 * takes, so small batches spread long simulations across workers and large ones amortise the
 * per-message cost of quick simulations.
 */
final class ProposalPublisher {
  private final Producer<String, byte[]> producer;
  private final RunTopics topics;
  private final ProposalCodec codec;
  private final int proposalsPerMessage;

  ProposalPublisher(Producer<String, byte[]> producer, RunTopics topics, int thetaDimension, int proposalsPerMessage) {
    this.producer = producer;
    this.topics = topics;
    this.codec = new ProposalCodec(thetaDimension);
    this.proposalsPerMessage = proposalsPerMessage;
  }

  /** Sends every proposal and returns once the broker has acknowledged all of them. */
  void publish(List<Proposal> proposals) {
    Acknowledgements acks = new Acknowledgements();
    for (int from = 0; from < proposals.size(); from += proposalsPerMessage) {
      List<Proposal> batch = proposals.subList(from, Math.min(proposals.size(), from + proposalsPerMessage));
      acks.add(producer.send(new ProducerRecord<>(topics.proposals(), batch.get(0).proposalId(), codec.encode(batch))));
    }
    acks.await("proposals");
  }
}
