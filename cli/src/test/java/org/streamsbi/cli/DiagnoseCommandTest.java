package org.streamsbi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.buffer.ReplayBufferConfig;
import org.streamsbi.core.CsvMatrix;
import org.streamsbi.core.Sample;
import org.streamsbi.simulator.sbibm.BenchmarkTask;
import org.streamsbi.trainer.FlowConfig;
import org.streamsbi.trainer.NpeTrainer;
import org.streamsbi.trainer.Posterior;
import org.streamsbi.trainer.StoppingRule;
import org.streamsbi.trainer.TrainerConfig;

/** Trains a small gaussian_linear posterior once, as 'run' would, and diagnoses it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DiagnoseCommandTest {
  private static final int SIMULATIONS = 4_000;

  private Path dir;
  private Path posteriorFile;
  private final BenchmarkTask task = BenchmarkTask.named("gaussian_linear");

  @BeforeAll
  void trainAPosterior(@TempDir Path directory) throws Exception {
    dir = directory;
    ReplayBuffer buffer =
        new ReplayBuffer(new ReplayBufferConfig(SIMULATIONS, SIMULATIONS / 2, 0.1), 10, 10);
    SplittableRandom rng = new SplittableRandom(1);
    for (int i = 0; i < SIMULATIONS; i++) {
      float[] theta = task.prior().sample(rng);
      String id = "s" + i;
      buffer.insert(new Sample(id, "diagnose-test", 1, id, i, theta, task.simulate(theta, i), "w", 0));
    }
    posteriorFile = dir.resolve("posterior.bin");
    try (Posterior posterior =
            new NpeTrainer(FlowConfig.defaults(), new TrainerConfig(256, 1e-3, 100, 5.0, 3))
                .train(buffer, task.prior(), StoppingRule.patience(5).or(StoppingRule.maxSteps(2_000)))
                .posterior();
        OutputStream out = Files.newOutputStream(posteriorFile)) {
      posterior.save(out);
    }
  }

  private RunCommandTest.Outcome diagnose(Path out, int sbcRuns, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of("diagnose", "--task", "gaussian_linear", "--observation", "1", "--posterior", posteriorFile.toString(),
                "--sbc-runs", Integer.toString(sbcRuns), "--posterior-draws", "200", "--predictive-draws", "200", "--threads", "2", "--out", out.toString()));
    args.addAll(List.of(more));
    return RunCommandTest.execute(args.toArray(new String[0]));
  }

  @Test
  void diagnosesATrainedPosteriorAndWritesTablesAndPlots() throws Exception {
    Path out = dir.resolve("diagnosis");
    // 500 of sbibm's bundled reference samples keep C2ST quick.
    RunCommandTest.Outcome o = diagnose(out, 100, "--c2st-samples", "500");
    assertEquals(0, o.exitCode(), o.err());
    assertTrue(o.out().contains("C2ST accuracy") && o.out().contains("500 samples each"), o.out());
    System.out.println(o.out());

    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    JsonNode pValues = summary.get("sbc").get("chi_square_p_values");
    assertEquals(10, pValues.size());
    // A posterior from 4,000 simulations is not perfect, but not grossly miscalibrated either.
    assertTrue(summary.get("sbc").get("bonferroni_min_p_value").asDouble() > 0.001, summary.toString());
    double at05 = summary.get("expected_coverage").get("at_0_5").asDouble();
    double at09 = summary.get("expected_coverage").get("at_0_9").asDouble();
    assertTrue(Math.abs(at05 - 0.5) < 0.2 && Math.abs(at09 - 0.9) < 0.15, "coverage " + at05 + ", " + at09);
    assertTrue(summary.get("posterior_predictive").get("median_ratio").asDouble() < 0.8, summary.toString());
    assertEquals("sbibm's reference posterior", summary.get("c2st").get("reference").asText());
    double c2st = summary.get("c2st").get("accuracy").asDouble();
    assertTrue(c2st >= 0.4 && c2st < 0.8, "C2ST " + c2st);

    assertEquals(101, Files.readAllLines(out.resolve("sbc_ranks.csv")).size());
    assertEquals("rank_1,rank_2,rank_3,rank_4,rank_5,rank_6,rank_7,rank_8,rank_9,rank_10", Files.readAllLines(out.resolve("sbc_ranks.csv")).get(0));
    assertEquals(100, Files.readAllLines(out.resolve("coverage.csv")).size());
    assertEquals(201, Files.readAllLines(out.resolve("ppc.csv")).size());
    for (String png : List.of("pair_plot.png", "sbc_ranks.png", "coverage.png")) {
      assertTrue(Files.size(out.resolve(png)) > 5_000, png);
      BufferedImage image = ImageIO.read(out.resolve(png).toFile());
      assertNotNull(image, png);
      int first = image.getRGB(0, 0);
      boolean varied = false;
      for (int y = 0; y < image.getHeight() && !varied; y += 3) {
        for (int x = 0; x < image.getWidth() && !varied; x += 3) {
          varied = image.getRGB(x, y) != first;
        }
      }
      assertTrue(varied, png + " is a single colour");
    }
  }

  @Test
  void c2stSamplesZeroSkipsTheComparison() throws Exception {
    Path out = dir.resolve("no-c2st");
    RunCommandTest.Outcome o = diagnose(out, 10, "--c2st-samples", "0");
    assertEquals(0, o.exitCode(), o.err());
    assertTrue(o.out().contains("C2ST: skipped"), o.out());
    assertTrue(new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("c2st").isNull());
  }

  @Test
  void aMissingPosteriorIsBadInput() {
    RunCommandTest.Outcome o =
        RunCommandTest.execute("diagnose", "--task", "gaussian_linear", "--posterior", dir.resolve("nope.bin").toString(), "--out", dir.resolve("x").toString());
    assertEquals(2, o.exitCode(), o.err());
    assertTrue(o.err().contains("--posterior") && o.err().contains("nope.bin"), o.err());
  }

  @Test
  void aPosteriorOfAnotherTaskIsBadInput() {
    RunCommandTest.Outcome o =
        RunCommandTest.execute("diagnose", "--task", "two_moons", "--posterior", posteriorFile.toString(), "--out", dir.resolve("x").toString());
    assertEquals(2, o.exitCode(), o.err());
    assertTrue(o.err().contains("--posterior") && o.err().contains("two_moons"), o.err());
  }

  @Test
  void aFileThatIsNoPosteriorIsBadInput() throws Exception {
    Path junk = dir.resolve("junk.bin");
    Files.writeString(junk, "not a posterior");
    RunCommandTest.Outcome o =
        RunCommandTest.execute("diagnose", "--task", "gaussian_linear", "--posterior", junk.toString(), "--out", dir.resolve("x").toString());
    assertEquals(2, o.exitCode(), o.err());
    assertTrue(o.err().contains("--posterior"), o.err());
  }

  @Test
  void aReferenceOfAnotherWidthIsBadInput() {
    Path narrow = dir.resolve("narrow.csv");
    CsvMatrix.write(narrow, "parameter", new float[][] {{1, 2}, {3, 4}, {5, 6}});
    RunCommandTest.Outcome o = diagnose(dir.resolve("x"), 100, "--reference", narrow.toString());
    assertEquals(2, o.exitCode(), o.err());
    assertTrue(o.err().contains("--reference") && o.err().contains("2 columns"), o.err());
  }

  @Test
  void tooFewRunsIsBadInput() {
    RunCommandTest.Outcome o = diagnose(dir.resolve("x"), 1);
    assertEquals(2, o.exitCode(), o.err());
    assertTrue(o.err().contains("--sbc-runs must be at least 2"), o.err());
  }
}
