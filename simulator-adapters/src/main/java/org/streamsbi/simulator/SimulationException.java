package org.streamsbi.simulator;

/** A simulation that did not produce a usable x. */
public class SimulationException extends RuntimeException {

  public SimulationException(String message) {
    super(message);
  }

  public SimulationException(String message, Throwable cause) {
    super(message, cause);
  }
}
