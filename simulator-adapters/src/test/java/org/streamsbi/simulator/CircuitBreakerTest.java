package org.streamsbi.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.core.Proposal;
import org.streamsbi.core.arrow.SampleCodec;

/** What the circuit breaker counts, and what a worker commits when it opens. */
class CircuitBreakerTest {

  private static List<Proposal> proposals(RunTopics topics, String prefix, int n) {
    List<Proposal> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Proposal(topics.run(), 1, prefix + i, i, new float[] {i, -i}));
    }
    return out;
  }

  @Test
  void garbageOutputIsNotRetriedAndDoesNotOpenTheCircuit() throws Exception {
    RunTopics topics = SharedBroker.provision("garbage", 2);
    KafkaClients clients = SharedBroker.clients();
    SharedBroker.publish(topics, proposals(topics, "g-", 30), 5);
    ProcessSimulatorConfig garbage =
        ProcessSimulatorConfig.custom("python3", Scripts.path("garbage.py")).thetaDimension(2).xDimension(2).build();
    // Defaults but the bulkhead: 30 failures would open it past minimumNumberOfCalls (20) if they counted.
    SimulationWorkerConfig config = SimulationWorkerConfig.custom().concurrency(2).build();
    try (Workers workers = new Workers()) {
      SimulationWorker worker = workers.start(new SimulationWorker("garbage", clients, topics, new ProcessSimulator(garbage), config));
      RunRecords records =
          RunRecords.read(clients, topics, new SampleCodec(2, 2), r -> r.resolved() >= 30, Duration.ofSeconds(60));
      assertEquals(30, records.proposalLetters.size());
      for (Headers letter : records.proposalLetters.values()) {
        assertEquals("invalid-output", RunRecords.header(letter, "streamsbi.failure"));
        assertEquals("1", RunRecords.header(letter, "streamsbi.attempts"));
      }
      assertEquals("CLOSED", worker.circuitState());
      assertEquals(30, worker.failed());
    }
  }

  @Test
  void aCircuitOpeningMidBatchCommitsWhatTheBatchResolvedAndHandsBackOnlyTheRest() throws Exception {
    RunTopics topics = SharedBroker.provision("mid-batch", 1);
    KafkaClients clients = SharedBroker.clients();
    // One message: the worker takes all ten proposals as one batch.
    SharedBroker.publish(topics, proposals(topics, "m-", 10), 10);
    Simulator broken = Simulator.of(2, 2, (theta, seed) -> {
      throw new SimulationException("licence server unreachable");
    });
    SimulationWorkerConfig config =
        SimulationWorkerConfig.custom().maxAttempts(2).initialBackoff(Duration.ofMillis(1)).slidingWindowSize(4)
            .minimumNumberOfCalls(4).waitDurationInOpenState(Duration.ofHours(1)).build();
    try (Workers workers = new Workers()) {
      SimulationWorker worker = workers.start(new SimulationWorker("broken", clients, topics, broken, config));
      // The four proposals whose attempts were spent are dead letters while the circuit is still open.
      RunRecords letters =
          RunRecords.read(clients, topics, new SampleCodec(2, 2), r -> r.proposalLetters.size() >= 4, Duration.ofSeconds(30));
      assertEquals("OPEN", worker.circuitState());
      assertEquals(Set.of("m-0", "m-1", "m-2", "m-3"), letters.proposalLetters.keySet());
      for (Headers letter : letters.proposalLetters.values()) {
        assertEquals("2", RunRecords.header(letter, "streamsbi.attempts"));
      }
      assertEquals(4, worker.failed());

      // The six it never tried go to a healthy worker, once each.
      workers.start(new SimulationWorker("healthy", clients, topics, Simulator.of(2, 2, (theta, seed) -> theta), config));
      RunRecords records =
          RunRecords.read(clients, topics, new SampleCodec(2, 2), r -> r.resolved() >= 10, Duration.ofSeconds(30));
      assertEquals(10, records.resolved());
      assertEquals(6, records.samplesByProposal.size());
      records.assertNoneEndedTwice();
    }
  }
}
