package org.streamsbi.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Sends whose acknowledgements must all arrive before the input that caused them is committed.
 * A send can fail silently until its future is read (KAFKA-15591 loses whole batches that way).
 */
public final class Acknowledgements {
  private final List<Future<RecordMetadata>> pending = new ArrayList<>();

  public void add(Future<RecordMetadata> ack) {
    pending.add(ack);
  }

  /**
   * Waits for every pending send.
   *
   * @param what names the records in the error when one was not acknowledged
   */
  public void await(String what) {
    try {
      for (Future<RecordMetadata> ack : pending) {
        ack.get();
      }
    } catch (ExecutionException e) {
      throw new BrokerException(what + " were not acknowledged by the broker", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrokerException("interrupted while waiting for " + what + " to be acknowledged", e);
    } finally {
      pending.clear();
    }
  }
}
