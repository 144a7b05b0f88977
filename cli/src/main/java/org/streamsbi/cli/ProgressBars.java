package org.streamsbi.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.streamsbi.broker.BrokerHealth;
import org.streamsbi.controller.RunProgress;

/**
 * Shows a run's progress in the terminal: two progress bars on stderr (simulations against the
 * budget, training steps with the losses) when stderr is a terminal, otherwise a line every two
 * seconds, so that logs and captured output stay readable. Either says when the run waits for its
 * Kafka broker.
 */
abstract class ProgressBars implements Consumer<RunProgress>, AutoCloseable {

  /** Bars when stderr is a terminal, lines on {@code err} otherwise. */
  static ProgressBars forTerminal(PrintWriter err, int simulations) {
    return stderrIsTerminal() && !"dumb".equals(System.getenv("TERM")) ? new Bars(simulations) : new Lines(err);
  }

  /**
   * Where Linux says what file descriptor 2 is, a terminal device; elsewhere the JVM's console,
   * which only tells whether stdin and stdout are terminals.
   */
  private static boolean stderrIsTerminal() {
    Path stderr = Path.of("/proc/self/fd/2");
    if (!Files.isSymbolicLink(stderr)) {
      return System.console() != null;
    }
    try {
      String target = Files.readSymbolicLink(stderr).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {}

  /** How long the run has waited for its broker, against the limit; empty while the broker answers. */
  static String broker(RunProgress.Broker broker) {
    if (!broker.waiting()) {
      return "";
    }
    return String.format("  %s for the Kafka broker %.0f s (limit %.0f s)",
        broker.state() == BrokerHealth.State.LOST ? "gave up waiting" : "waiting", broker.silentSeconds(),
        broker.outageLimitSeconds());
  }

  private static final class Bars extends ProgressBars {
    private final int budget;
    private ProgressBar simulations;
    private ProgressBar training;
    private boolean closed;

    Bars(int budget) {
      this.budget = budget;
    }

    @Override
    public synchronized void accept(RunProgress p) {
      if (closed) {
        return;
      }
      if (simulations == null) {
        // Made at the first report, once the broker is up, so the rate counts simulations only.
        simulations = new ProgressBarBuilder()
            .setTaskName("simulations")
            .setInitialMax(budget)
            .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
            .setUpdateIntervalMillis(250)
            .showSpeed()
            .build();
      }
      simulations.stepTo(p.samples());
      simulations.setExtraMessage((p.failedProposals() > 0 ? " failed " + p.failedProposals() : "") + broker(p.broker()));
      if (p.steps() > 0 && training == null) {
        // The number of steps is unknown until the stopping rule fires: an open-ended bar.
        training = new ProgressBarBuilder()
            .setTaskName("training")
            .setInitialMax(-1)
            .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
            .setUpdateIntervalMillis(250)
            .setUnit(" steps", 1)
            .showSpeed()
            .build();
      }
      if (training != null) {
        training.stepTo(p.steps());
        training.setExtraMessage(String.format(" loss %.3f val %.3f best %.3f",
            p.trainingLoss(), p.validationLoss(), p.bestValidationLoss()));
      }
    }

    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (training != null) {
        training.close();
      }
      if (simulations != null) {
        simulations.close();
      }
    }
  }

  private static final class Lines extends ProgressBars {
    private final PrintWriter err;
    private double lastPrinted = -2;

    Lines(PrintWriter err) {
      this.err = err;
    }

    @Override
    public void accept(RunProgress p) {
      if (p.phase() != RunProgress.Phase.DONE && p.elapsedSeconds() - lastPrinted < 2) {
        return;
      }
      lastPrinted = p.elapsedSeconds();
      err.printf(
          "[%6.1fs] %-10s simulations %d/%d (failed %d)  buffer %d+%d  steps %d  loss %.3f  validation %.3f (best %.3f)%s%n",
          p.elapsedSeconds(), p.phase(), p.samples(), p.simulations(), p.failedProposals(),
          p.trainingSamples(), p.validationSamples(), p.steps(), p.trainingLoss(), p.validationLoss(),
          p.bestValidationLoss(), broker(p.broker()));
      err.flush();
    }
  }
}
