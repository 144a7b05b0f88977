package org.streamsbi.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates a run's topics and returns only once every partition answers an offset request.
 *
 * <p>A producer that writes right after a topic is created can lose a whole batch (KAFKA-15591,
 * fixed in Kafka 4.5) while the client only sees a delivery timeout. Waiting until each
 * partition's leader serves {@code listOffsets} closes that window.
 */
public final class TopicProvisioner {
  /** How long provisioning waits for the coordinators' topics, which only speed the run up. */
  private static final long COORDINATOR_NANOS = TimeUnit.SECONDS.toNanos(10);
  private final Admin admin;
  private final Duration timeout;

  public TopicProvisioner(Admin admin, Duration timeout) {
    this.admin = admin;
    this.timeout = timeout;
  }

  /**
   * Creates the run's topics if absent: {@code partitions} for proposals and samples (they bound
   * how many workers and ingestors share the work), one for dead letters and events (ordered).
   */
  public void provision(RunTopics topics, int partitions) {
    // A fresh broker creates __consumer_offsets and __transaction_state when a group and a
    // transactional producer first ask for their coordinators: a worker's initTransactions, then its
    // group join, would wait for one after the other. Asking now creates both alongside the run's
    // topics; on a cluster that has them, it is two lookups.
    String probe = topics.run() + "-coordinator-probe";
    List<KafkaFuture<?>> coordinators =
        List.of(
            admin.describeConsumerGroups(List.of(probe)).all(),
            admin.describeTransactions(List.of(probe)).all());
    Map<String, Integer> wanted = new HashMap<>();
    wanted.put(topics.proposals(), partitions);
    wanted.put(topics.samples(), partitions);
    wanted.put(topics.deadLetters(), 1);
    wanted.put(topics.events(), 1);
    create(wanted);
    long deadline = System.nanoTime() + COORDINATOR_NANOS;
    for (KafkaFuture<?> lookup : coordinators) {
      try {
        lookup.get(remaining(deadline), TimeUnit.NANOSECONDS);
      } catch (ExecutionException | TimeoutException e) {
        // The probe's group and transaction do not exist, and a slow lookup only costs speed.
      } catch (InterruptedException e) {
        throw interruptedOrTimedOut("looking up the coordinators", e);
      }
    }
  }

  /**
   * Creates the given topics if absent, with the cluster's default replication factor, and waits
   * until all of their partitions answer.
   */
  public void create(Map<String, Integer> partitionsByTopic) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<NewTopic> newTopics = new ArrayList<>();
    partitionsByTopic.forEach(
        (name, partitions) -> newTopics.add(new NewTopic(name, Optional.of(partitions), Optional.empty())));
    admin
        .createTopics(newTopics)
        .values()
        .forEach(
            (name, future) -> {
              try {
                future.get(remaining(deadline), TimeUnit.NANOSECONDS);
              } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                  throw new BrokerException("cannot create topic " + name, e.getCause());
                }
              } catch (TimeoutException | InterruptedException e) {
                throw interruptedOrTimedOut("creating topic " + name, e);
              }
            });
    awaitPartitions(partitionsByTopic.keySet(), deadline);
  }

  private void awaitPartitions(Iterable<String> names, long deadline) {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    while (true) {
      try {
        request.clear();
        for (TopicDescription d :
            admin
                .describeTopics(toList(names))
                .allTopicNames()
                .get(remaining(deadline), TimeUnit.NANOSECONDS)
                .values()) {
          d.partitions()
              .forEach(p -> request.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
        }
        admin.listOffsets(request).all().get(remaining(deadline), TimeUnit.NANOSECONDS);
        return;
      } catch (ExecutionException e) {
        if (remaining(deadline) <= 0) {
          throw new BrokerException("topics did not become ready: " + names, e.getCause());
        }
        sleep(100);
      } catch (TimeoutException | InterruptedException e) {
        throw interruptedOrTimedOut("waiting for partitions of " + names, e);
      }
    }
  }

  private static List<String> toList(Iterable<String> names) {
    List<String> out = new ArrayList<>();
    names.forEach(out::add);
    return out;
  }

  private static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrokerException("interrupted while waiting for topics", e);
    }
  }

  private static BrokerException interruptedOrTimedOut(String what, Exception e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    return new BrokerException(what + " did not finish", e);
  }
}
