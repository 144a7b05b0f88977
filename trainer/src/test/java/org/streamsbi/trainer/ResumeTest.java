package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.core.prior.MultivariateNormal;
import org.streamsbi.core.prior.Prior;

/** A resumed training continues exactly where its checkpoint left it, even after a SIGKILL. */
class ResumeTest {
  static final LinearGaussian TRUTH = LinearGaussian.correlated2d();
  static final Prior PRIOR = MultivariateNormal.isotropic(new double[2], 100);
  static final int CHECKPOINT_INTERVAL = 25;

  /** The configuration the killed child and its resumption share. */
  static TrainerConfig childConfig(Path directory) {
    return new TrainerConfig(64, 1e-3, 10, 5.0, 1)
        .withCheckpoints(directory, CHECKPOINT_INTERVAL, true);
  }

  static ReplayBuffer childBuffer() {
    return TRUTH.buffer(1_000, 3);
  }

  private static TrainerConfig config(Path directory, boolean resume) {
    return new TrainerConfig(64, 1e-3, 20, 5.0, 1)
        .withCheckpoints(directory, 20, resume)
        .withLearningRateSchedule(new LearningRateSchedule.WarmUpCosine(10, 60, 0.1));
  }

  private static Checkpoint train(ReplayBuffer buffer, Path directory, boolean resume, long steps)
      throws Exception {
    return train(FlowConfig.defaults(), buffer, directory, resume, steps);
  }

  private static Checkpoint train(
      FlowConfig flow, ReplayBuffer buffer, Path directory, boolean resume, long steps)
      throws Exception {
    new NpeTrainer(flow, config(directory, resume))
        .train(buffer, PRIOR, StoppingRule.maxSteps(steps))
        .posterior()
        .close();
    return Checkpoint.read(directory).orElseThrow();
  }

  /** One flow, and an ensemble of two whose members' parameters and moments the checkpoint holds. */
  @Test
  void aResumedRunTakesTheStepsOfAnUninterruptedOne(@TempDir Path directory) throws Exception {
    for (int members : new int[] {1, 2}) {
      resumesAsUninterrupted(
          FlowConfig.defaults().withEnsemble(members), directory.resolve("members-" + members));
    }
  }

  private static void resumesAsUninterrupted(FlowConfig flow, Path directory) throws Exception {
    ReplayBuffer buffer = TRUTH.buffer(1_000, 5);
    Checkpoint uninterrupted = train(flow, buffer, directory.resolve("whole"), false, 60);
    Checkpoint halfway = train(flow, buffer, directory.resolve("halves"), false, 20);
    assertEquals(20, halfway.step);
    assertNotNull(halfway.optimizerState);
    // The same halfway checkpoint without Adam's moments: what resuming lost before.
    Path stripped = directory.resolve("stripped");
    new Checkpoint(
            halfway.step, halfway.bestValidationLoss, halfway.validationsSinceImprovement,
            halfway.bestParameters, halfway.density, halfway.nextValidation, null, 1, 0, 0)
        .write(stripped);
    halfway.density.close();
    Checkpoint resumed = train(flow, buffer, directory.resolve("halves"), true, 60);
    Checkpoint withoutMoments = train(flow, buffer, stripped, true, 60);
    try (ConditionalDensity whole = uninterrupted.density;
        ConditionalDensity halves = resumed.density;
        ConditionalDensity fresh = withoutMoments.density) {
      assertEquals(60, resumed.step);
      assertArrayEquals(whole.saveParameters(), halves.saveParameters(), "parameters at step 60");
      assertArrayEquals(uninterrupted.optimizerState, resumed.optimizerState, "Adam's state");
      assertArrayEquals(uninterrupted.bestParameters, resumed.bestParameters);
      assertEquals(uninterrupted.bestValidationLoss, resumed.bestValidationLoss);
      assertFalse(
          Arrays.equals(whole.saveParameters(), fresh.saveParameters()),
          "restarting Adam's moments from zero changes the steps");
    }
  }

  @Test
  void aCheckpointOfOneLossIsNotResumedWithTheOther(@TempDir Path directory) throws Exception {
    ReplayBuffer buffer = TRUTH.buffer(1_000, 5);
    Checkpoint npe = train(buffer, directory, false, 20);
    npe.density.close();
    assertEquals(0, npe.atoms);
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> new NpeTrainer(FlowConfig.defaults(), config(directory, true))
                .withAtomicLoss(10)
                .train(buffer, PRIOR, StoppingRule.maxSteps(40)));
    assertTrue(
        refused.getMessage().contains("trained with the NPE loss; this training uses the atomic loss with 10 atoms"),
        refused.getMessage());

    Path atomic = directory.resolve("atomic");
    new NpeTrainer(FlowConfig.defaults(), config(atomic, false))
        .withAtomicLoss(5)
        .train(buffer, PRIOR, StoppingRule.maxSteps(20))
        .posterior()
        .close();
    Checkpoint written = Checkpoint.read(atomic).orElseThrow();
    written.density.close();
    assertEquals(5, written.atoms);
    assertThrows(
        IllegalArgumentException.class,
        () -> new NpeTrainer(FlowConfig.defaults(), config(atomic, true))
            .train(buffer, PRIOR, StoppingRule.maxSteps(40)));
  }

  @Test
  void aTrainingKilledWithSigkillResumesFromItsLastCheckpoint(@TempDir Path directory)
      throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (argument.startsWith("-D") || argument.startsWith("--add-opens")
          || argument.startsWith("-XX:TieredStopAtLevel")) {
        command.add(argument);
      }
    }
    command.add("-cp");
    command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    command.add(TrainingChild.class.getName());
    command.add(directory.toString());
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    long lastReported = -1;
    List<String> output = new ArrayList<>();
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        output.add(line);
        if (line.startsWith("step ")) {
          lastReported = Long.parseLong(line.substring(5));
          if (lastReported >= 3 * CHECKPOINT_INTERVAL) {
            break;
          }
        }
      }
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not die");
    }
    assertTrue(lastReported >= 3 * CHECKPOINT_INTERVAL, "the child stopped early: " + output);
    assertEquals(137, child.exitValue(), "killed by SIGKILL");

    Checkpoint last = Checkpoint.read(directory).orElseThrow();
    last.density.close();
    assertTrue(
        last.step > lastReported - CHECKPOINT_INTERVAL,
        "the checkpoint at step " + last.step + " is more than one interval behind step "
            + lastReported);
    List<TrainingProgress> progress = new CopyOnWriteArrayList<>();
    long target = last.step + 50;
    TrainingResult resumed =
        new NpeTrainer(FlowConfig.defaults(), childConfig(directory))
            .train(childBuffer(), PRIOR, StoppingRule.maxSteps(target), progress::add);
    resumed.posterior().close();
    long firstValidation = progress.get(0).step();
    assertTrue(
        firstValidation > last.step && firstValidation <= last.step + 10,
        "resumed from step " + last.step + ", first validation at " + firstValidation);
    assertTrue(resumed.steps() >= target && resumed.steps() < target + 10);
    assertTrue(Double.isFinite(resumed.validationLoss()));
  }
}
