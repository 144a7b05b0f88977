package org.streamsbi.broker;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Sets aside what cannot be used, with its reason, on the run's dead-letter topic: nothing bad is
 * dropped silently, and an operator can inspect or replay it.
 *
 * <p>The original bytes are the record's value; the reason and context are headers prefixed
 * {@code streamsbi.}.
 */
public final class DeadLetters {
  /** Header naming why the record was set aside. */
  public static final String REASON = "streamsbi.reason";
  /** Header naming what kind of payload the value holds (proposals, samples, ...). */
  public static final String KIND = "streamsbi.kind";
  /** Header with the proposal id, when one proposal is concerned. */
  public static final String PROPOSAL_ID = "streamsbi.proposal-id";

  private final Producer<String, byte[]> producer;
  private final String topic;

  public DeadLetters(Producer<String, byte[]> producer, RunTopics topics) {
    this.producer = producer;
    this.topic = topics.deadLetters();
  }

  /**
   * Writes a dead letter and waits for the broker to acknowledge it, so the caller may commit the
   * input only once the letter is safe.
   */
  public void send(String key, byte[] payload, String kind, String reason, Map<String, String> context) {
    try {
      producer.send(letter(key, payload, kind, reason, context)).get();
    } catch (ExecutionException e) {
      throw new BrokerException("cannot write dead letter (" + reason + ")", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrokerException("interrupted while writing dead letter (" + reason + ")", e);
    }
  }

  /**
   * The dead letter as a record, for callers that send it inside a transaction and check its
   * acknowledgement with the rest of the transaction.
   */
  public ProducerRecord<String, byte[]> letter(
      String key, byte[] payload, String kind, String reason, Map<String, String> context) {
    List<Header> headers = new ArrayList<>();
    headers.add(header(REASON, reason));
    headers.add(header(KIND, kind));
    context.forEach((k, v) -> headers.add(header("streamsbi." + k, v)));
    return new ProducerRecord<>(topic, null, key, payload, headers);
  }

  /** A header's value as text, or null when absent. */
  public static String header(Iterable<Header> headers, String name) {
    for (Header h : headers) {
      if (h.key().equals(name)) {
        return new String(h.value(), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static Header header(String name, String value) {
    return new RecordHeader(name, String.valueOf(value).getBytes(StandardCharsets.UTF_8));
  }
}
