package org.streamsbi.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.streamsbi.broker.DeadLetters;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.core.Proposal;
import org.streamsbi.core.Sample;
import org.streamsbi.core.arrow.ProposalCodec;
import org.streamsbi.core.arrow.SampleCodec;
import org.streamsbi.simulator.sbibm.TwoMoons;

class SimulationWorkerTest {
  private static final int PROPOSALS = 600;

  private static final TwoMoons TWO_MOONS = new TwoMoons();

  /** Two moons, except that it fails for θ₁ > 0.8 and returns one value for θ₁ < −0.9. */
  private static final Simulator FLAKY_TWO_MOONS =
      Simulator.of(2, 2, (theta, seed) -> {
        if (theta[0] > 0.8f) {
          throw new SimulationException("solver diverged at θ₁=" + theta[0]);
        }
        if (theta[0] < -0.9f) {
          return new float[] {1f};
        }
        return TWO_MOONS.simulate(theta, seed);
      });

  /** Deterministic failures are retried once, quickly; the failure rate never opens the circuit. */
  private static final SimulationWorkerConfig CONFIG =
      SimulationWorkerConfig.custom().maxAttempts(2).initialBackoff(Duration.ofMillis(1)).failureRateThreshold(100).build();

  @Test
  void everyProposalEndsAsOneSampleOrOneDeadLetter() throws Exception {
    RunTopics topics = SharedBroker.provision("worker-test", 4);
    {
      KafkaClients clients = SharedBroker.clients();
      Map<String, Proposal> issued = new HashMap<>();
      TwoMoons task = new TwoMoons();
      SplittableRandom rng = new SplittableRandom(11);
      ProposalCodec codec = new ProposalCodec(2);
      try (KafkaProducer<String, byte[]> producer = clients.producer("test-controller")) {
        for (int batch = 0; batch < PROPOSALS / 50; batch++) {
          List<Proposal> proposals = new ArrayList<>();
          for (int i = 0; i < 50; i++) {
            String id = "p-" + batch + "-" + i;
            Proposal p = new Proposal(topics.run(), 1, id, rng.nextLong(), task.prior().sample(rng));
            proposals.add(p);
            issued.put(id, p);
          }
          producer.send(new ProducerRecord<>(topics.proposals(), "b" + batch, codec.encode(proposals))).get();
        }
        producer.send(new ProducerRecord<>(topics.proposals(), "junk", "not arrow".getBytes(StandardCharsets.UTF_8))).get();
      }

      List<SimulationWorker> workers = List.of(
          new SimulationWorker("w1", clients, topics, FLAKY_TWO_MOONS, CONFIG),
          new SimulationWorker("w2", clients, topics, FLAKY_TWO_MOONS, CONFIG));
      List<Thread> threads = new ArrayList<>();
      for (SimulationWorker w : workers) {
        Thread t = new Thread(w, w.workerId());
        t.start();
        threads.add(t);
      }

      Map<String, Sample> samples = new HashMap<>();
      Set<String> failedProposals = new HashSet<>();
      List<String> reasons = new ArrayList<>();
      int malformed = 0;
      SampleCodec sampleCodec = new SampleCodec(2, 2);
      try (KafkaConsumer<String, byte[]> consumer = clients.consumer("verifier", "verifier")) {
        consumer.subscribe(List.of(topics.samples(), topics.deadLetters()));
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while ((samples.size() + failedProposals.size() < PROPOSALS || malformed == 0) && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            if (r.topic().equals(topics.samples())) {
              for (Sample s : sampleCodec.decode(r.value())) {
                Sample earlier = samples.put(s.sampleId(), s);
                assertNull(earlier, "transactions let no duplicate through: " + s.sampleId());
              }
            } else if ("proposal".equals(DeadLetters.header(r.headers(), DeadLetters.KIND))) {
              assertTrue(failedProposals.add(DeadLetters.header(r.headers(), DeadLetters.PROPOSAL_ID)), "one dead letter per proposal");
              reasons.add(DeadLetters.header(r.headers(), DeadLetters.REASON));
            } else {
              malformed++;
              assertTrue(DeadLetters.header(r.headers(), DeadLetters.REASON).startsWith("malformed proposal batch"));
            }
          }
        }
      }
      workers.forEach(SimulationWorker::close);
      for (Thread t : threads) {
        t.join(30_000);
      }

      assertEquals(1, malformed);
      assertEquals(PROPOSALS, samples.size() + failedProposals.size());
      Set<String> both = new HashSet<>(samples.keySet());
      both.retainAll(failedProposals);
      assertTrue(both.isEmpty(), "proposals both simulated and failed: " + both);
      long expectedFailures = issued.values().stream().filter(p -> p.theta()[0] > 0.8f || p.theta()[0] < -0.9f).count();
      assertEquals(expectedFailures, failedProposals.size());
      assertTrue(reasons.stream().anyMatch(r -> r.startsWith("solver diverged")));
      assertTrue(reasons.stream().anyMatch(r -> r.contains("returned 1 values, expected 2")));
      for (Sample s : samples.values()) {
        Proposal p = issued.get(s.proposalId());
        assertArrayEquals(p.theta(), s.theta());
        assertArrayEquals(task.simulate(p.theta(), p.seed()), s.x(), "x must be reproducible from θ and seed");
      }
      assertEquals(samples.size(), workers.get(0).simulated() + workers.get(1).simulated());
      assertEquals(failedProposals.size(), workers.get(0).failed() + workers.get(1).failed());
    }
  }
}
