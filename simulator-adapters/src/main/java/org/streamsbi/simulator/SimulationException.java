package org.streamsbi.simulator;

import java.util.Locale;
import java.util.OptionalInt;

/**
 * A simulation that did not produce a usable x. Its {@link Kind} decides whether the worker tries
 * again; its exit code and stderr tail, when a process ran, go into the dead letter.
 */
public class SimulationException extends RuntimeException {

  /** Why the simulation failed. */
  public enum Kind {
    /** The simulator failed (a non-zero exit, an exception): worth retrying. */
    FAILED,
    /** The simulation overran its time limit and was killed: worth retrying. */
    TIMED_OUT,
    /**
     * The simulator finished but its output is unusable (unparsable, NaN, wrong dimension). The
     * same θ and seed would give the same output, so it is not retried.
     */
    INVALID_OUTPUT,
    /**
     * Never simulated: the run stopped first (its simulator looked broken, or it failed). No
     * simulator raises it; the controller writes these dead letters so that every proposal of the
     * budget ends.
     */
    ABANDONED;

    /** As dead letters' {@code streamsbi.failure} header and summary.json name it: {@code timed-out}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private final Kind kind;
  private final Integer exitCode;
  private final String stderrTail;

  public SimulationException(String message) {
    this(message, Kind.FAILED, null, "", null);
  }

  public SimulationException(String message, Throwable cause) {
    this(message, Kind.FAILED, null, "", cause);
  }

  /**
   * @param exitCode the process's exit status, or null when no process exited
   * @param stderrTail the end of the process's standard error, empty when there was none
   */
  public SimulationException(String message, Kind kind, Integer exitCode, String stderrTail) {
    this(message, kind, exitCode, stderrTail, null);
  }

  private SimulationException(String message, Kind kind, Integer exitCode, String stderrTail, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.exitCode = exitCode;
    this.stderrTail = stderrTail == null ? "" : stderrTail;
  }

  public Kind kind() {
    return kind;
  }

  /** The exit status of the simulator process, if one exited. */
  public OptionalInt exitCode() {
    return exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode);
  }

  /** The last bytes the simulator wrote to standard error, or empty. */
  public String stderrTail() {
    return stderrTail;
  }

  /** True when another attempt with the same θ and seed might succeed. */
  public boolean isTransient() {
    return kind != Kind.INVALID_OUTPUT;
  }
}
