package org.streamsbi.simulator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Drains a long-running program's standard error on a thread of its own, so the program never
 * blocks on a full pipe, and keeps its last bytes to go with a failure.
 */
final class StderrTail {
  private final byte[] ring;
  private long written;
  private final Thread drain;

  StderrTail(InputStream stderr, int bytes, String name) {
    this.ring = new byte[bytes];
    this.drain = new Thread(() -> drain(stderr), name);
    drain.setDaemon(true);
    drain.start();
  }

  private void drain(InputStream stderr) {
    byte[] buffer = new byte[8192];
    try (stderr) {
      for (int n = stderr.read(buffer); n >= 0; n = stderr.read(buffer)) {
        keep(buffer, n);
      }
    } catch (IOException e) {
      // The pipe closes when the program is killed; what was read is kept.
    }
  }

  private synchronized void keep(byte[] buffer, int n) {
    if (ring.length == 0) {
      return;
    }
    for (int i = Math.max(0, n - ring.length); i < n; i++) {
      ring[(int) (written++ % ring.length)] = buffer[i];
    }
  }

  /** The last bytes written, after waiting up to {@code settle} for a program that ended. */
  String text(Duration settle) {
    try {
      drain.join(settle.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return text();
  }

  synchronized String text() {
    int n = (int) Math.min(written, ring.length);
    byte[] out = new byte[n];
    for (int i = 0; i < n; i++) {
      out[i] = ring[(int) ((written - n + i) % ring.length)];
    }
    return new String(out, StandardCharsets.UTF_8);
  }
}
