package org.streamsbi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
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

/** sample: one saved two_moons posterior drawn from for several observations, and its refusals. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SampleCommandTest {
  private static final int SIMULATIONS = 2_000;
  private final BenchmarkTask task = BenchmarkTask.named("two_moons");
  private Path dir;
  private Path posteriorFile;

  @BeforeAll
  void trainAPosterior(@TempDir Path directory) throws Exception {
    dir = directory;
    ReplayBuffer buffer = new ReplayBuffer(new ReplayBufferConfig(SIMULATIONS, SIMULATIONS / 2, 0.1), 2, 2);
    SplittableRandom rng = new SplittableRandom(1);
    for (int i = 0; i < SIMULATIONS; i++) {
      float[] theta = task.prior().sample(rng);
      String id = "s" + i;
      buffer.insert(new Sample(id, "sample-test", 1, id, i, theta, task.simulate(theta, i), "w", 0));
    }
    posteriorFile = dir.resolve("posterior.bin");
    try (Posterior posterior =
            new NpeTrainer(FlowConfig.defaults(), new TrainerConfig(128, 1e-3, 100, 5.0, 3))
                .train(buffer, task.prior(), StoppingRule.maxSteps(300))
                .posterior();
        OutputStream out = Files.newOutputStream(posteriorFile)) {
      posterior.save(out);
    }
  }

  @Test
  void drawsForEveryObservationUnderItsNumber() throws Exception {
    Path observations = Files.writeString(dir.resolve("numbered.csv"), "observation,data_1,data_2\n"
        + "3," + values(task.observation(3)) + "\n7," + values(task.observation(7)) + "\n");
    Path out = dir.resolve("numbered");
    RunCommandTest.Outcome o = sample(observations, out);
    assertEquals(0, o.exitCode(), o.err());
    for (int k : new int[] {3, 7}) {
      float[][] draws = CsvMatrix.read(out.resolve("posterior_samples_" + k + ".csv"));
      assertEquals(50, draws.length);
      for (float[] theta : draws) {
        assertEquals(2, theta.length);
        assertTrue(task.prior().inSupport(theta));
      }
    }
    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals(2, summary.get("observations").size());
    assertEquals(7, summary.get("observations").get(1).get("observation").asInt());

    Path unnumbered = Files.writeString(dir.resolve("rows.csv"), "data_1,data_2\n"
        + values(task.observation(1)) + "\n" + values(task.observation(2)) + "\n" + values(task.observation(3)) + "\n");
    Path rowsOut = dir.resolve("rows");
    assertEquals(0, sample(unnumbered, rowsOut).exitCode());
    assertEquals(List.of("posterior_samples_1.csv", "posterior_samples_2.csv", "posterior_samples_3.csv", "summary.json"),
        Files.list(rowsOut).map(p -> p.getFileName().toString()).sorted().toList());
  }

  @Test
  void refusesAnObservationOfAnotherWidth() throws Exception {
    Path wide = Files.writeString(dir.resolve("wide.csv"), "data_1,data_2,data_3\n0.1,0.2,0.3\n");
    RunCommandTest.Outcome o = sample(wide, dir.resolve("wide"));
    assertEquals(2, o.exitCode(), o.err());
    assertEquals("streamsbi: --observations: " + wide + " has observations of 3 values (line 2), but " + posteriorFile
        + " was trained on x of 2", o.err().strip());
    assertTrue(!Files.exists(dir.resolve("wide")), "a refused sampling writes nothing");

    Path nan = Files.writeString(dir.resolve("nan.csv"), "data_1,data_2\n0.1,0.2\n0.1,NaN\n");
    RunCommandTest.Outcome notFinite = sample(nan, dir.resolve("nan"));
    assertEquals(2, notFinite.exitCode(), notFinite.err());
    assertTrue(notFinite.err().contains(nan + " line 3 holds NaN"), notFinite.err());
  }

  @Test
  void diagnoseRefusesAPosteriorTrainedUnderAnotherTasksPrior() {
    RunCommandTest.Outcome o = RunCommandTest.execute("diagnose", "--task", "gaussian_linear", "--posterior",
        posteriorFile.toString(), "--out", dir.resolve("diagnose").toString());
    assertEquals(2, o.exitCode(), o.err());
    assertTrue(o.err().contains("it was trained under another prior (BoxUniform of 2 parameters) than gaussian_linear's "
        + "(MultivariateNormal of 10 parameters)"), o.err());
  }

  private RunCommandTest.Outcome sample(Path observations, Path out) {
    return RunCommandTest.execute("sample", "--posterior", posteriorFile.toString(), "--observations",
        observations.toString(), "--samples", "50", "--out", out.toString());
  }

  private static String values(float[] x) {
    return x[0] + "," + x[1];
  }
}
