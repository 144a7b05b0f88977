package org.streamsbi.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.simulator.Simulator;
import org.streamsbi.simulator.sbibm.BenchmarkTask;
import org.streamsbi.trainer.TrainerConfig;

/**
 * A run stopped part-way (its thread interrupted, which leaves its topics as a crash would: some
 * proposals answered, some issued and unanswered, some never issued) and run again with resume
 * finishes its budget from what its topics hold: nothing is issued twice and nothing answered is
 * simulated again but what was in flight at the stop.
 */
class RunResumeTest {
  private static final int BUDGET = 300;
  private static final int PER_MESSAGE = 10;

  @TempDir Path dir;

  @Test
  void anNpeRunStoppedMidSimulationResumesWithoutSimulatingAgain() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    RunConfig config = config(Method.NPE, 1);
    int inFlight = stopAt(config, calls, 100);
    try (RunResult result = new OnlineNpe(task().prior(), counting(calls)).run(config)) {
      RunSummary summary = result.summary();
      assertEquals(BUDGET, summary.samples(), summary.toString());
      int repeated = calls.get() - BUDGET;
      assertTrue(repeated <= inFlight, "at most the " + inFlight + " in flight are simulated again: " + repeated);
    }
  }

  @Test
  void aTsnpeRunStoppedInItsSecondRoundResumesInThatRound() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    RunConfig config = config(Method.TSNPE, 2);
    int inFlight = stopAt(config, calls, BUDGET / 2 + 50);
    try (RunResult result = new OnlineNpe(task().prior(), counting(calls)).run(config, task().observation(1))) {
      RunSummary summary = result.summary();
      assertEquals(BUDGET, summary.samples(), summary.toString());
      int repeated = calls.get() - BUDGET;
      assertTrue(repeated <= inFlight, "at most the " + inFlight + " in flight are simulated again: " + repeated);
      assertTrue(result.refreshes().isEmpty(),
          "round 2 was issued whole before the stop: the resumed run cuts no new region " + result.refreshes());
    }
  }

  @Test
  void aResumeWithAnotherBudgetStopsNamingIt() throws Exception {
    stopAt(config(Method.NPE, 1), new AtomicInteger(), 50);
    RunConfig smaller = RunConfig.custom("resumed", 100).brokerDirectory(dir.resolve("kafka"))
        .proposalsPerMessage(PER_MESSAGE).trainer(config(Method.NPE, 1).trainer()).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new OnlineNpe(task().prior(), task()).run(smaller));
    assertTrue(e.getMessage().contains("budget of 100"), e.getMessage());
  }

  private RunConfig config(Method method, int rounds) {
    TrainerConfig trainer = RunConfig.custom("resumed", BUDGET).brokerDirectory(dir).build().trainer()
        .withCheckpoints(dir.resolve("checkpoints"), 50, true);
    return RunConfig.custom("resumed", BUDGET).brokerDirectory(dir.resolve("kafka")).method(method).rounds(rounds)
        .proposalsPerMessage(PER_MESSAGE).patience(3).trainer(trainer).build();
  }

  /**
   * Runs {@code config} on a thread and interrupts it once the run has read {@code samples}
   * samples; returns the simulations then in flight: run, but not yet read back as samples.
   */
  private int stopAt(RunConfig config, AtomicInteger calls, int samples) throws Exception {
    CompletableFuture<Thread> runner = new CompletableFuture<>();
    AtomicReference<RunProgress> last = new AtomicReference<>();
    OnlineNpe npe = new OnlineNpe(task().prior(), counting(calls)).onProgress(last::set);
    CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
      runner.complete(Thread.currentThread());
      try (RunResult r = config.method().sequential() ? npe.run(config, task().observation(1)) : npe.run(config)) {
        throw new AssertionError("the run was to be stopped before its end");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Thread thread = runner.get(10, TimeUnit.SECONDS);
    while (last.get() == null || last.get().samples() < samples) {
      assertTrue(!run.isDone(), "the run ended before it was stopped");
      Thread.sleep(5);
    }
    long read = last.get().samples();
    thread.interrupt();
    try {
      run.get(2, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      throw new AssertionError("the stopped run failed", e.getCause());
    }
    // Simulations that ended while the run stopped count as in flight too.
    return calls.get() - (int) read;
  }

  /** two_moons at a few milliseconds a simulation, counted. */
  private static Simulator counting(AtomicInteger calls) {
    BenchmarkTask task = task();
    return Simulator.of(task.thetaDimension(), task.xDimension(), (theta, seed) -> {
      calls.incrementAndGet();
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return task.simulate(theta, seed);
    });
  }

  private static BenchmarkTask task() {
    return BenchmarkTask.named("two_moons");
  }
}
