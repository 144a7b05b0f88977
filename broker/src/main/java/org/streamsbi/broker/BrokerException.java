package org.streamsbi.broker;

/** The broker, or a cluster operation, failed. */
public final class BrokerException extends RuntimeException {

  public BrokerException(String message) {
    super(message);
  }

  public BrokerException(String message, Throwable cause) {
    super(message, cause);
  }
}
