package org.streamsbi.core.arrow;

/** A batch on the wire that cannot be decoded, or does not fit the run it was sent to. */
public final class MalformedBatchException extends RuntimeException {

  public MalformedBatchException(String message) {
    super(message);
  }

  public MalformedBatchException(String message, Throwable cause) {
    super(message, cause);
  }
}
