package org.streamsbi.controller;

/** A run that cannot produce a posterior; the message says why. */
public final class RunFailedException extends RuntimeException {

  public RunFailedException(String message) {
    super(message);
  }
}
