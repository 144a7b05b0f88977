package org.streamsbi.simulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * One running program of the persistent protocol. The caller's thread writes a request and reads
 * the reply line itself; killing the program (the time limit's alarm, the worker's stop) ends
 * that read. Started directly, never through a shell.
 */
final class PersistentProgram {
  /** How long an ended program's last stderr may take to arrive. */
  private static final Duration LAST_WORDS = Duration.ofSeconds(1);

  private final Process process;
  private final OutputStream stdin;
  private final InputStream stdout;
  private final StderrTail stderr;
  /** Bytes read from stdout but not yet handed over: {@code buffer[start, end)}. */
  private byte[] buffer = new byte[1 << 16];
  private int start;
  private int end;
  /** When the request under way must end ({@link System#nanoTime()}), or 0 when none is or it has no limit. */
  private volatile long deadline;
  private volatile boolean overran;

  private PersistentProgram(Process process, int stderrTailBytes) {
    this.process = process;
    this.stdin = process.getOutputStream();
    this.stdout = process.getInputStream();
    this.stderr = new StderrTail(process.getErrorStream(), stderrTailBytes, "streamsbi-stderr-" + process.pid());
  }

  static PersistentProgram start(ProcessSimulatorConfig config) {
    ProcessBuilder builder = new ProcessBuilder(config.command());
    config.workingDirectory().ifPresent(dir -> builder.directory(dir.toFile()));
    builder.environment().putAll(config.environment());
    try {
      return new PersistentProgram(builder.start(), config.stderrTailBytes());
    } catch (IOException e) {
      throw new SimulationException("cannot start " + config.command().get(0) + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes a request; past {@code timeLimit} (zero: none) the session's watchdog kills the
   * program, which ends a write that blocks.
   *
   * @return false when the program is gone
   */
  boolean send(byte[] request, Duration timeLimit) {
    deadline = deadline(timeLimit);
    try {
      stdin.write(request);
      stdin.flush();
      return true;
    } catch (IOException e) {
      // A broken pipe: the program is gone; reading its output says so.
      return false;
    } finally {
      deadline = 0;
    }
  }

  /**
   * Reads the next non-blank line of standard output, within {@code timeLimit} (zero: none).
   *
   * @return the line without its newline, or null when the program closed its output (it ended,
   *     or was killed) before a whole line
   */
  byte[] receive(Duration timeLimit) {
    deadline = deadline(timeLimit);
    try {
      for (byte[] line = nextLine(); line != null; line = nextLine()) {
        if (!blank(line)) {
          return line;
        }
      }
      return null;
    } catch (IOException e) {
      return null;
    } finally {
      deadline = 0;
    }
  }

  private static long deadline(Duration timeLimit) {
    return timeLimit.isZero() ? 0 : Math.max(1, System.nanoTime() + timeLimit.toNanos());
  }

  /** Kills the program when its request is past the deadline. */
  void killIfOverrun(long now) {
    long d = deadline;
    if (d != 0 && now - d > 0) {
      overran = true;
      kill();
    }
  }

  /** Whether the time limit killed it. */
  boolean overran() {
    return overran;
  }

  /** The next whole line, or null at the end of output (a last line without newline is dropped). */
  private byte[] nextLine() throws IOException {
    int scanned = start;
    while (true) {
      for (; scanned < end; scanned++) {
        if (buffer[scanned] == '\n') {
          byte[] line = Arrays.copyOfRange(buffer, start, scanned);
          start = scanned + 1;
          return line;
        }
      }
      if (start > 0) {
        System.arraycopy(buffer, start, buffer, 0, end - start);
        end -= start;
        scanned -= start;
        start = 0;
      }
      if (end == buffer.length) {
        buffer = Arrays.copyOf(buffer, buffer.length * 2);
      }
      int n = stdout.read(buffer, end, buffer.length - end);
      if (n < 0) {
        return null;
      }
      end += n;
    }
  }

  private static boolean blank(byte[] line) {
    for (byte b : line) {
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  /** The program's exit status once it ended, or null when it is still running after a short wait. */
  Integer exitStatus() {
    try {
      return process.waitFor(LAST_WORDS.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The end of its standard error; for an ended program, after its last words arrived. */
  String stderrTail() {
    return process.isAlive() ? stderr.text() : stderr.text(LAST_WORDS);
  }

  void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  /** Closes its standard input: a program of the protocol then exits. */
  void endInput() {
    try {
      stdin.close();
    } catch (IOException e) {
      // already gone
    }
  }

  /** Waits until the deadline ({@link System#nanoTime()}) for it to exit, then kills it and its children. */
  void end(long deadlineNanos) {
    try {
      process.waitFor(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    kill();
  }
}
