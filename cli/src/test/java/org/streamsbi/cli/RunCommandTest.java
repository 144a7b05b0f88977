package org.streamsbi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.core.CsvMatrix;
import org.streamsbi.simulator.sbibm.BenchmarkTask;
import org.streamsbi.simulator.sbibm.TwoMoons;
import org.streamsbi.trainer.Posterior;
import picocli.CommandLine;

class RunCommandTest {

  @TempDir Path dir;

  record Outcome(int exitCode, String out, String err) {}

  static Outcome execute(String... args) {
    CommandLine cli = StreamSbi.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Outcome(code, out.toString(), err.toString());
  }

  @Test
  void aSmallCompleteRunWritesPosteriorSamplesAndSummary() throws Exception {
    Path out = dir.resolve("out");
    Outcome o = execute("run", "--task", "two_moons", "--observation", "1", "--simulations", "2000", "--out", out.toString(), "--seed", "3", "--patience", "10", "--dashboard-port", "0",
        "--checkpoint-dir", dir.resolve("checkpoints").toString(), "--checkpoint-interval", "100");
    assertEquals(0, o.exitCode(), o.err());
    assertTrue(o.err().contains("simulations 2000/2000"), o.err());

    List<String> lines = Files.readAllLines(out.resolve("posterior_samples.csv"));
    assertEquals("parameter_1,parameter_2", lines.get(0));
    float[][] samples = CsvMatrix.read(out.resolve("posterior_samples.csv"));
    assertEquals(10_000, samples.length);
    TwoMoons task = new TwoMoons();
    float[] observed = task.observation(1);
    double outsideCrescent = 0;
    for (float[] theta : samples) {
      assertTrue(task.prior().inSupport(theta));
      // Every posterior draw must be able to explain x_o: the moon's radius |p − (0.25, 0)| is
      // 0.1 ± 0.01, so a draw far from radius 0.1 is a draw the posterior should not make.
      double z0 = (theta[0] + theta[1]) / Math.sqrt(2);
      double z1 = (theta[1] - theta[0]) / Math.sqrt(2);
      double r = Math.hypot(observed[0] + Math.abs(z0) - 0.25, observed[1] - z1);
      if (Math.abs(r - 0.1) > 0.05) {
        outsideCrescent++;
      }
    }
    // The reference posterior has no draw off the crescent and the prior 97%; estimates from 2,000
    // simulations measured 14-24%, blurred at the tips.
    assertTrue(outsideCrescent / samples.length < 0.35, "share of draws off the crescent: " + outsideCrescent / samples.length);

    try (InputStream saved = Files.newInputStream(out.resolve(RunCommand.POSTERIOR_FILE));
        Posterior posterior = Posterior.load(saved, BenchmarkTask.named("two_moons").prior())) {
      assertEquals(2, posterior.thetaDimension());
      assertTrue(Double.isFinite(posterior.logProb(new float[][] {samples[0]}, observed)[0]));
    }

    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals(2000, summary.get("simulations").asInt());
    assertEquals(2000, summary.get("samples").asInt());
    assertEquals(0, summary.get("failed_proposals").asInt());
    assertTrue(summary.get("training_steps").asLong() > 0);
    assertTrue(Double.isFinite(summary.get("final_validation_loss").asDouble()));
    double acceptance = summary.get("acceptance_rate").asDouble();
    assertTrue(acceptance > 0.5 && acceptance <= 1, "acceptance " + acceptance);
    for (String phase : List.of("broker_start", "simulation", "training", "posterior_sampling", "total")) {
      assertTrue(summary.get("seconds").get(phase).asDouble() > 0, phase);
    }
    double waitShare = summary.get("data_wait_share").asDouble();
    assertTrue(waitShare > 0 && waitShare < 1, "data wait share " + waitShare);
    assertTrue(summary.get("seconds").get("waiting_for_data").asDouble() < summary.get("seconds").get("training").asDouble());
    assertTrue(Files.size(dir.resolve("checkpoints").resolve("checkpoint.bin")) > 0);
  }

  @Test
  void anOutThatIsOrLiesUnderAFileStopsWithOneSentence() throws Exception {
    Path file = Files.writeString(dir.resolve("notes.txt"), "not a directory");
    Outcome isFile = execute("run", "--task", "two_moons", "--simulations", "100", "--no-dashboard", "--out", file.toString());
    assertEquals(2, isFile.exitCode(), isFile.err());
    assertEquals("streamsbi: output.directory (--out): " + file + " is a file; give a directory", isFile.err().strip());

    Path under = file.resolve("run");
    Outcome lies = execute("run", "--task", "two_moons", "--simulations", "100", "--no-dashboard", "--out", under.toString());
    assertEquals(2, lies.exitCode(), lies.err());
    assertEquals("streamsbi: output.directory (--out): " + under + " lies under " + file + ", which is a file; give a directory",
        lies.err().strip());

    Outcome diagnose = execute("diagnose", "--task", "two_moons", "--posterior", file.toString(), "--out", under.toString());
    assertEquals(2, diagnose.exitCode(), diagnose.err());
    assertTrue(diagnose.err().startsWith("streamsbi: --out: " + under + " lies under") && diagnose.err().lines().count() == 1,
        diagnose.err());
  }

  @Test
  void aStartRefusedForATakenDashboardPortLeavesNoOutDirectory() throws Exception {
    Path out = dir.resolve("refused");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Outcome o = execute("run", "--task", "two_moons", "--simulations", "100", "--dashboard-port",
          Integer.toString(taken.getLocalPort()), "--out", out.toString());
      assertEquals(2, o.exitCode(), o.err());
      assertTrue(o.err().contains("--dashboard-port " + taken.getLocalPort() + " on 127.0.0.1 is taken"), o.err());
    }
    assertFalse(Files.exists(out), out + " was left behind");
  }

  @Test
  void badInputStopsAtStartWithExitCodeTwoAndNamesTheField() {
    Outcome tooFew = execute("run", "--task", "two_moons", "--simulations", "1", "--out", dir.toString());
    assertEquals(2, tooFew.exitCode());
    assertTrue(tooFew.err().contains("budget.simulations (--simulations): must be at least 2"), tooFew.err());

    Outcome unknown = execute("run", "--task", "three_moons", "--out", dir.toString());
    assertEquals(2, unknown.exitCode());
    assertTrue(unknown.err().contains("unknown task 'three_moons'"), unknown.err());

    Outcome observation = execute("run", "--task", "slcp", "--observation", "12", "--out", dir.toString());
    assertEquals(2, observation.exitCode());
    assertTrue(observation.err().contains("observation.task_index (--observation): must be between 1 and 10"), observation.err());

    Outcome schedule = execute("run", "--task", "slcp", "--lr-schedule", "wavy", "--out", dir.toString());
    assertEquals(2, schedule.exitCode());
    assertTrue(schedule.err().contains("trainer.learning_rate_schedule (--lr-schedule): trainer.learningRateSchedule must be constant"), schedule.err());

    Outcome resumeWithoutDirectory = execute("run", "--task", "slcp", "--resume", "--out", dir.toString());
    assertEquals(2, resumeWithoutDirectory.exitCode());
    assertTrue(resumeWithoutDirectory.err().contains("trainer.resume (--resume): needs trainer.checkpoint_directory (or --checkpoint-dir)"), resumeWithoutDirectory.err());

    Outcome notANumber = execute("run", "--task", "slcp", "--simulations", "many", "--out", dir.toString());
    assertEquals(2, notANumber.exitCode());
    assertTrue(notANumber.err().contains("--simulations"), notANumber.err());

    Outcome embedding = execute("run", "--task", "slcp", "--embedding", "rnn", "--out", dir.toString());
    assertEquals(2, embedding.exitCode());
    assertTrue(embedding.err().contains("estimator.embedding (--embedding): must be one of none, mlp, cnn, got 'rnn'"), embedding.err());

    Outcome estimator = execute("run", "--task", "slcp", "--estimator", "gmm", "--out", dir.toString());
    assertEquals(2, estimator.exitCode());
    assertTrue(estimator.err().contains("estimator.name (--estimator): must be one of maf, nsf, mdn, got 'gmm'"), estimator.err());

    Outcome noMembers = execute("run", "--task", "slcp", "--ensemble", "0", "--out", dir.toString());
    assertEquals(2, noMembers.exitCode());
    assertTrue(noMembers.err().contains("estimator.ensemble (--ensemble): must be at least 1, got 0"), noMembers.err());

    Outcome unbounded = execute("run", "--task", "gaussian_linear", "--logit-transform", "--out", dir.toString());
    assertEquals(2, unbounded.exitCode());
    assertTrue(unbounded.err().contains("estimator.logit_transform (--logit-transform): needs a box_uniform prior"), unbounded.err());

    Outcome method = execute("run", "--task", "two_moons", "--method", "apt", "--out", dir.toString());
    assertEquals(2, method.exitCode());
    assertTrue(method.err().contains("method (--method): method must be npe, snpe, tsnpe or tsnpe-async, got apt"), method.err());

    Outcome snpe = execute("run", "--task", "two_moons", "--method", "snpe", "--check", "--out", dir.toString());
    assertEquals(0, snpe.exitCode(), snpe.err());
    assertTrue(snpe.out().contains("snpe"), snpe.out());

    Outcome rounds = execute("run", "--task", "two_moons", "--rounds", "4", "--out", dir.toString());
    assertEquals(2, rounds.exitCode());
    assertTrue(rounds.err().contains("rounds (--rounds): must be 1 for method npe"), rounds.err());
  }

  @Test
  void aResumeFindsItsRunFromOutAndRefusesOneItDoesNotMatch() throws Exception {
    Path out = dir.resolve("out");
    new RunIdentity("two-moons-obs1-20260101-000000", "two_moons", "npe", 1000, 1, 2, 2).write(out);
    Outcome same = execute("run", "--task", "two_moons", "--simulations", "1000", "--out", out.toString(),
        "--checkpoint-dir", dir.resolve("c").toString(), "--resume", "--check", "--no-dashboard");
    assertEquals(0, same.exitCode(), same.err());
    assertTrue(same.out().contains("run two-moons-obs1-20260101-000000,"), "the kept name, from --out alone: " + same.out());

    Outcome other = execute("run", "--task", "slcp", "--simulations", "1200", "--out", out.toString(),
        "--checkpoint-dir", dir.resolve("c").toString(), "--resume", "--check", "--no-dashboard");
    assertEquals(2, other.exitCode(), other.err());
    assertTrue(other.err().contains("task is slcp here but two_moons in the run"), other.err());
    assertTrue(other.err().contains("budget.simulations is 1200 here but 1000 in the run"), other.err());
    assertTrue(other.err().contains("θ dimension (prior) is 5 here but 2 in the run"), other.err());
  }
}
