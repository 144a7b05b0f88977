package org.streamsbi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.core.CsvMatrix;
import org.streamsbi.simulator.sbibm.BenchmarkTask;
import org.streamsbi.trainer.Posterior;

/** train: NPE on samples that exist already, from a run's topics or from files, and its refusals. */
class TrainCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final BenchmarkTask TASK = BenchmarkTask.named("two_moons");
  /** Few validations without improvement keep these trainings short. */
  private static final String[] QUICK = {"--patience", "3", "--posterior-samples", "200", "--seed", "1"};

  @TempDir Path dir;

  @Test
  void trainsFromAFinishedRunsTopicsWithoutSimulating() throws Exception {
    Path run = dir.resolve("run");
    RunCommandTest.Outcome ran = RunCommandTest.execute("run", "--task", "two_moons", "--simulations", "300",
        "--run", "small", "--out", run.toString(), "--no-dashboard", "--patience", "3", "--posterior-samples", "100");
    assertEquals(0, ran.exitCode(), ran.err());

    Path out = dir.resolve("trained");
    RunCommandTest.Outcome trained = train("--from-run", "small", "--kafka-dir", run.resolve("kafka").toString(),
        "--task", "two_moons", "--estimator", "nsf", "--out", out.toString());
    assertEquals(0, trained.exitCode(), trained.err());
    assertTrue(trained.err().contains("300 samples from run small"), trained.err());
    JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
    assertEquals(0, summary.get("simulations").asInt());
    assertEquals(300, summary.get("samples").asInt());
    assertEquals(300, summary.get("training_samples").asInt() + summary.get("validation_samples").asInt());
    assertTrue(summary.get("training_steps").asLong() > 0);
    assertEquals(200, CsvMatrix.read(out.resolve("posterior_samples.csv")).length);
    try (InputStream in = Files.newInputStream(out.resolve("posterior.bin"));
        Posterior posterior = Posterior.load(in)) {
      assertEquals(TASK.prior(), posterior.prior());
      assertEquals("NSF", posterior.flowConfig().estimator().name());
    }

    RunCommandTest.Outcome unknown = train("--from-run", "other", "--kafka-dir", run.resolve("kafka").toString(),
        "--task", "two_moons", "--out", dir.resolve("none").toString());
    assertEquals(2, unknown.exitCode(), unknown.err());
    assertTrue(unknown.err().contains("has no topic streamsbi.other.samples; its runs: [small]"), unknown.err());
  }

  @Test
  void trainsFromCsvFilesAndSetsAsideRowsHoldingNaN() throws Exception {
    float[][][] rows = simulations(400);
    rows[1][4][0] = Float.NaN;
    rows[0][16][1] = Float.NaN;
    Path theta = dir.resolve("theta.csv");
    Path x = dir.resolve("x.csv");
    CsvMatrix.write(theta, "parameter", rows[0]);
    CsvMatrix.write(x, "data", rows[1]);
    Path out = dir.resolve("from-csv");
    RunCommandTest.Outcome o = train("--task", "two_moons", "--theta", theta.toString(), "--x", x.toString(),
        "--out", out.toString());
    assertEquals(0, o.exitCode(), o.err());
    assertTrue(o.err().contains("set aside 2 samples holding NaN or ±∞ (row-5, row-17)"), o.err());
    JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
    assertEquals(2, summary.get("non_finite_samples").asInt());
    assertEquals("[\"row-5\",\"row-17\"]", summary.get("set_aside").toString());
    assertEquals(398, summary.get("training_samples").asInt() + summary.get("validation_samples").asInt());
    assertTrue(Files.size(out.resolve("posterior.bin")) > 0);
  }

  @Test
  void trainsFromAnArrowFileWithAColumnPerValue() throws Exception {
    float[][][] rows = simulations(300);
    Path file = dir.resolve("samples.arrow");
    try (BufferAllocator allocator = new RootAllocator()) {
      List<FieldVector> columns = new ArrayList<>();
      for (int j = 0; j < 2; j++) {
        columns.add(column(allocator, "parameter_" + (j + 1), rows[0], j));
        columns.add(column(allocator, "data_" + (j + 1), rows[1], j));
      }
      try (VectorSchemaRoot root = new VectorSchemaRoot(columns);
          OutputStream stream = Files.newOutputStream(file);
          ArrowFileWriter writer = new ArrowFileWriter(root, null, java.nio.channels.Channels.newChannel(stream))) {
        root.setRowCount(rows[0].length);
        writer.start();
        writer.writeBatch();
        writer.end();
      }
    }
    Path out = dir.resolve("from-arrow");
    RunCommandTest.Outcome o = train("--task", "two_moons", "--arrow", file.toString(), "--out", out.toString());
    assertEquals(0, o.exitCode(), o.err());
    assertEquals(300, JSON.readTree(out.resolve("summary.json").toFile()).get("samples").asInt());
  }

  @Test
  void mismatchedFilesStopWithExitCodeTwoNamingTheFileAndRow() throws Exception {
    float[][][] rows = simulations(50);
    Path theta = dir.resolve("theta.csv");
    Path x = dir.resolve("x.csv");
    CsvMatrix.write(theta, "parameter", rows[0]);
    CsvMatrix.write(x, "data", java.util.Arrays.copyOf(rows[1], 49));
    assertRefused("--theta " + theta + " has 50 rows but --x " + x + " has 49", theta, x);

    Path wide = dir.resolve("wide.csv");
    CsvMatrix.write(wide, "parameter", new float[][] {{1, 2, 3}, {4, 5, 6}});
    assertRefused("--theta: " + wide + " line 2 has 3 values; expected 2 parameters, as the prior", wide, x);

    Path ragged = dir.resolve("ragged.csv");
    Files.writeString(ragged, "data_1,data_2\n0.1,0.2\n0.3\n");
    assertRefused("--x: " + ragged + " line 3 has 1 values, the header has 2", theta, ragged);

    Path text = dir.resolve("text.csv");
    Files.writeString(text, "data_1,data_2\n0.1,0.2\n0.3,abc\n");
    assertRefused("--x: " + text + " line 3 column 2: 'abc' is not a number", theta, text);

    RunCommandTest.Outcome twoSources = train("--task", "two_moons", "--from-run", "r", "--arrow", "a.arrow",
        "--out", dir.resolve("out").toString());
    assertEquals(2, twoSources.exitCode(), twoSources.err());
    assertTrue(twoSources.err().contains("give exactly one source of samples"), twoSources.err());
  }

  private void assertRefused(String message, Path theta, Path x) {
    RunCommandTest.Outcome o = train("--task", "two_moons", "--theta", theta.toString(), "--x", x.toString(),
        "--out", dir.resolve("refused").toString());
    assertEquals(2, o.exitCode(), o.err());
    assertTrue(o.err().contains(message), "expected '" + message + "' in " + o.err());
    assertTrue(!Files.exists(dir.resolve("refused")), "a refused training writes nothing");
  }

  private static RunCommandTest.Outcome train(String... args) {
    List<String> all = new ArrayList<>(List.of("train"));
    all.addAll(List.of(args));
    all.addAll(List.of(QUICK));
    return RunCommandTest.execute(all.toArray(new String[0]));
  }

  /** θ from two_moons' prior and x simulated at it: {θ rows, x rows}. */
  private static float[][][] simulations(int n) {
    SplittableRandom rng = new SplittableRandom(5);
    float[][] theta = new float[n][];
    float[][] x = new float[n][];
    for (int i = 0; i < n; i++) {
      theta[i] = TASK.prior().sample(rng);
      x[i] = TASK.simulate(theta[i], i);
    }
    return new float[][][] {theta, x};
  }

  private static Float4Vector column(BufferAllocator allocator, String name, float[][] rows, int j) {
    Float4Vector v = new Float4Vector(name, allocator);
    v.allocateNew(rows.length);
    for (int r = 0; r < rows.length; r++) {
      v.set(r, rows[r][j]);
    }
    v.setValueCount(rows.length);
    return v;
  }
}
