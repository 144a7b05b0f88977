package org.streamsbi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.streamsbi.broker.BrokerHealth;
import org.streamsbi.controller.RunProgress;
import picocli.CommandLine;

/**
 * Watches the dashboard of a real run in Debian's headless chromium, as a user would: the page
 * must show the sample counter rise, the loss chart gain points and the second round begin while
 * the run goes on.
 * {@code src/test/scripts/install-test-tools.sh} installs chromium and its driver.
 */
class DashboardBrowserTest {
  private static final Pattern ADDRESS = Pattern.compile("dashboard at (http://\\S+/)");
  private static final int BUDGET = 3000;
  /** What the page shows, read from its DOM and its charts. */
  private static final String READ_PAGE =
      "return {samples: Number(document.getElementById('samples').textContent),"
          + " phase: document.getElementById('phase').textContent,"
          + " lossPoints: Chart.getChart('loss').data.datasets[1].data.length,"
          + " posteriors: window.streamsbi.posteriorEvents,"
          + " scatterPoints: Chart.getChart('pair-0-1') ? Chart.getChart('pair-0-1').data.datasets[0].data.length : 0,"
          + " workers: document.querySelectorAll('#workers tbody tr').length,"
          + " round: Number(document.getElementById('round').textContent) || 0,"
          + " roundMarkers: Chart.getChart('loss').data.datasets[2].data.length};";

  @TempDir Path dir;

  record Seen(long samples, String phase, long lossPoints, long posteriors, long scatterPoints, long workers,
      long round, long roundMarkers) {
    static Seen of(Object read) {
      Map<?, ?> m = (Map<?, ?>) read;
      return new Seen(number(m, "samples"), (String) m.get("phase"), number(m, "lossPoints"),
          number(m, "posteriors"), number(m, "scatterPoints"), number(m, "workers"), number(m, "round"),
          number(m, "roundMarkers"));
    }

    private static long number(Map<?, ?> m, String key) {
      return ((Number) m.get(key)).longValue();
    }
  }

  private static ChromeDriver browser() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1500");
    // Explicit driver and browser: Selenium Manager must never try to download either.
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }

  @Test
  void duringARunThePageShowsTheSampleCounterRiseAndTheLossChartGainPoints() throws Exception {
    ChromeDriver browser = browser();
    try {
      StringWriter err = new StringWriter();
      CommandLine cli = StreamSbi.commandLine();
      cli.setOut(new PrintWriter(new StringWriter(), true));
      cli.setErr(new PrintWriter(err, true));
      CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> cli.execute(
          "run", "--task", "two_moons", "--simulations", String.valueOf(BUDGET), "--out", dir.toString(),
          "--seed", "5", "--patience", "10", "--dashboard-port", "0", "--method", "tsnpe", "--rounds", "2"));

      String address = null;
      while (address == null && !run.isDone()) {
        Matcher m = ADDRESS.matcher(err.toString());
        address = m.find() ? m.group(1) : null;
        Thread.sleep(50);
      }
      assertNotNull(address, err.toString());
      browser.get(address);

      List<Seen> seen = new ArrayList<>();
      Seen now;
      do {
        Thread.sleep(200);
        now = Seen.of(browser.executeScript(READ_PAGE));
        seen.add(now);
      } while (!run.isDone() && !(now.lossPoints() >= 8 && now.scatterPoints() > 0 && now.roundMarkers() > 0));
      assertEquals(0, run.get(), err.toString());
      // The run's last report reaches the page through the event stream a moment later.
      for (int i = 0; i < 50 && now.samples() < BUDGET; i++) {
        Thread.sleep(100);
        now = Seen.of(browser.executeScript(READ_PAGE));
      }
      Path screenshot = browser.getScreenshotAs(OutputType.FILE).toPath();
      Files.copy(screenshot, Path.of("target", "dashboard-screenshot.png"), StandardCopyOption.REPLACE_EXISTING);
      Seen first = seen.get(0);
      assertTrue(first.samples() < BUDGET, "the page saw no sample before the run had them all: " + first);
      assertEquals(BUDGET, now.samples(), "the sample counter stopped short: " + now);
      long firstWithLoss = seen.stream().filter(s -> s.lossPoints() > 0).findFirst().orElseThrow().lossPoints();
      assertTrue(now.lossPoints() > firstWithLoss && now.lossPoints() >= 4,
          "the loss chart gained no points: first " + firstWithLoss + ", last " + now);
      assertTrue(now.scatterPoints() > 0, "no posterior drawn in the pair plot: " + now);
      assertEquals(1, now.workers(), "one in-JVM worker expected: " + now);
      assertEquals(2, now.round(), "the round tile did not reach the second round: " + now);
      assertEquals(1, now.roundMarkers(), "the loss chart should mark the start of round 2: " + now);
    } finally {
      browser.quit();
    }
  }

  @Test
  void whileTheRunWaitsForItsBrokerThePageSaysSoAndStopsSayingItWhenTheBrokerAnswers() throws Exception {
    ChromeDriver browser = browser();
    try (Dashboard dashboard = new Dashboard(new DashboardConfig("127.0.0.1", 0, Optional.empty()), "metrics-run")) {
      dashboard.progress(MetricsEndpointTest.progress(1200, 4, 6, 300, List.of()));
      browser.get(dashboard.address().toString());
      String waiting = awaitBrokerNote(browser, text -> !text.isEmpty());
      assertEquals("waiting for the Kafka broker: 13 s (limit 300 s)", waiting);
      dashboard.progress(new RunProgress("metrics-run", RunProgress.Phase.TRAINING, 14, 5000, 1300, 4, 900, 100,
          320, 1.25, 1.5, 1.4, 0, 60_000, 0.5, 1e-3, 800, 2400, 3, 1000, 6, List.of(), "tsnpe", 3, 10,
          Map.of(), List.of(), new RunProgress.Broker(BrokerHealth.State.CONNECTED, 0, 300)));
      assertEquals("", awaitBrokerNote(browser, String::isEmpty), "hidden once the broker answers");
    } finally {
      browser.quit();
    }
  }

  /** The header's note on the broker once it satisfies {@code done}, empty while hidden. */
  private static String awaitBrokerNote(ChromeDriver browser, Predicate<String> done) throws InterruptedException {
    String script = "const b = document.getElementById('broker'); return b.hidden ? '' : b.textContent;";
    String text = (String) browser.executeScript(script);
    for (int i = 0; i < 100 && !done.test(text); i++) {
      Thread.sleep(100);
      text = (String) browser.executeScript(script);
    }
    return text;
  }
}
