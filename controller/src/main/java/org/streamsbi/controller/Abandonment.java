package org.streamsbi.controller;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;
import org.streamsbi.broker.Acknowledgements;
import org.streamsbi.broker.DeadLetters;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.core.Proposal;
import org.streamsbi.core.arrow.ProposalCodec;
import org.streamsbi.simulator.SimulationException;

/**
 * Ends the proposals a stopped run leaves without a result, so that every proposal of the budget
 * ends somewhere: each becomes a {@code proposal} dead letter shaped as a worker's, with failure
 * {@link SimulationException.Kind#ABANDONED abandoned}. An issued proposal's letter holds it as
 * a worker's would; one never issued has no θ, so its letter holds nothing but its id.
 */
final class Abandonment {
  private static final byte[] NOTHING = new byte[0];

  private final Producer<String, byte[]> producer;
  private final DeadLetters deadLetters;
  private final ProposalCodec codec;
  private final String writer;

  Abandonment(Producer<String, byte[]> producer, RunTopics topics, int thetaDimension) {
    this.producer = producer;
    this.deadLetters = new DeadLetters(producer, topics);
    this.codec = new ProposalCodec(thetaDimension);
    this.writer = topics.run() + "-controller";
  }

  /** Writes the letters and returns once the broker has acknowledged them all. */
  void abandon(Collection<Proposal> issued, List<String> neverIssued, String reason) {
    Acknowledgements acks = new Acknowledgements();
    for (Proposal p : issued) {
      Map<String, String> context = context(p.proposalId());
      context.put("seed", Long.toString(p.seed()));
      context.put("theta", Arrays.toString(p.theta()));
      acks.add(producer.send(
          deadLetters.letter(p.proposalId(), codec.encode(List.of(p)), "proposal", reason, context)));
    }
    for (String id : neverIssued) {
      acks.add(producer.send(deadLetters.letter(id, NOTHING, "proposal", reason, context(id))));
    }
    acks.await("abandoned proposals' dead letters");
  }

  private Map<String, String> context(String proposalId) {
    Map<String, String> context = new LinkedHashMap<>();
    context.put("proposal-id", proposalId);
    context.put("worker", writer);
    context.put("failure", SimulationException.Kind.ABANDONED.label());
    context.put("attempts", "0");
    return context;
  }
}
