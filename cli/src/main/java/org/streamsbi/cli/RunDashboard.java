package org.streamsbi.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Consumer;
import org.streamsbi.controller.OnlineNpe;
import org.streamsbi.controller.RunProgress;

/**
 * The dashboard of a run in this JVM: its progress reports, and the best posterior so far drawn at
 * x_o every few seconds, also published on the run's events topic for remote dashboards. Inert when
 * the dashboard is turned off.
 */
final class RunDashboard implements AutoCloseable {
  private static final int POSTERIOR_DRAWS = 1_000;
  private static final Duration POSTERIOR_EVERY = Duration.ofSeconds(3);

  private final Dashboard dashboard;
  private final LivePosterior posterior;

  private RunDashboard(Dashboard dashboard, LivePosterior posterior) {
    this.dashboard = dashboard;
    this.posterior = posterior;
  }

  /** Serves the run's dashboard, or nothing when {@code config} is null. */
  static RunDashboard start(DashboardConfig config, String run, OnlineNpe npe, float[] observation, PrintWriter err) {
    if (config == null) {
      return new RunDashboard(null, null);
    }
    Dashboard dashboard = new Dashboard(config, run);
    LivePosterior posterior =
        new LivePosterior(npe::bestSoFar, observation, POSTERIOR_DRAWS, POSTERIOR_EVERY, (kind, json) -> {
          dashboard.event(kind, json);
          npe.publishEvent(kind, json);
        }).start();
    err.printf("dashboard at %s%s (metrics at %smetrics)%n", dashboard.address(),
        config.token().isPresent() ? "?token=<token>" : "", dashboard.address());
    err.flush();
    return new RunDashboard(dashboard, posterior);
  }

  /** The progress listener {@code shown} and then the dashboard. */
  Consumer<RunProgress> alongside(Consumer<RunProgress> shown) {
    return dashboard == null ? shown : shown.andThen(dashboard::progress);
  }

  @Override
  public void close() throws InterruptedException {
    if (dashboard != null) {
      posterior.close();
      dashboard.close();
    }
  }
}
