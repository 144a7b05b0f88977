package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.buffer.Minibatch;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.core.prior.MultivariateNormal;
import org.streamsbi.core.prior.Prior;

class CheckpointTest {
  private static final LinearGaussian TRUTH =
      LinearGaussian.correlated2d();
  private static final Prior PRIOR = MultivariateNormal.isotropic(new double[2], 100);

  private static double[] logProbs(ConditionalDensity density, Minibatch rows) {
    return density.logProb(rows.theta(), rows.x(), rows.size());
  }

  @Test
  void aCheckpointRestoresIdenticalLogProbsAndBookkeeping(@TempDir Path directory)
      throws Exception {
    ReplayBuffer buffer = TRUTH.buffer(500, 2);
    for (Estimator estimator : Estimator.values()) {
      FlowConfig config = new FlowConfig(estimator, 2, 8);
      try (ConditionalDensity density =
          ConditionalDensity.untrained(config, Standardization.fit(buffer.trainingSet()))) {
        density
            .estimator()
            .initialize(
                density.model().getNDManager(), DataType.FLOAT32, new Shape(1, 2), new Shape(1, 2));
        byte[] best = density.saveParameters();
        Path dir = directory.resolve(estimator.name());
        new Checkpoint(42, 1.25, 3, best, density).write(dir);
        Checkpoint read = Checkpoint.read(dir).orElseThrow();
        try (ConditionalDensity restored = read.density) {
          assertEquals(config, restored.config());
          assertEquals(42, read.step);
          assertEquals(1.25, read.bestValidationLoss);
          assertEquals(3, read.validationsSinceImprovement);
          assertArrayEquals(best, read.bestParameters);
          assertArrayEquals(
              logProbs(density, buffer.trainingSet()), logProbs(restored, buffer.trainingSet()));
        }
        try (var files = Files.list(dir)) {
          assertEquals(List.of(dir.resolve(Checkpoint.FILE_NAME)), files.toList(), "temp files left");
        }
      }
    }
  }

  @Test
  void anInterruptedTrainingResumesAtItsStep(@TempDir Path directory) throws Exception {
    ReplayBuffer buffer = TRUTH.buffer(2_000, 3);
    TrainerConfig config =
        new TrainerConfig(128, 1e-3, 50, 5.0, 1).withCheckpoints(directory, 30, true);
    List<TrainingProgress> before = new CopyOnWriteArrayList<>();
    TrainingResult first =
        new NpeTrainer(FlowConfig.defaults(), config)
            .train(
                buffer,
                PRIOR,
                p -> false,
                p -> {
                  before.add(p);
                  if (p.step() >= 100) {
                    Thread.currentThread().interrupt();
                  }
                });
    assertTrue(Thread.interrupted(), "the interrupt is left to the caller");
    first.posterior().close();
    assertEquals(100, first.steps());
    double[] atInterrupt;
    try (ConditionalDensity density = Checkpoint.read(directory).orElseThrow().density) {
      atInterrupt = logProbs(density, buffer.validationSet());
      assertEquals(100, Checkpoint.read(directory).orElseThrow().step);
    }

    List<TrainingProgress> progress = new CopyOnWriteArrayList<>();
    TrainingResult resumed =
        new NpeTrainer(FlowConfig.defaults(), config)
            .train(buffer, PRIOR, StoppingRule.maxSteps(200), progress::add);
    resumed.posterior().close();
    assertEquals(200, resumed.steps());
    assertEquals(150, progress.get(0).step(), "validations continue from the checkpoint's step");
    assertEquals(2, progress.size());
    // Re-initialised weights would be 50 steps into training here, not 150: about as good as
    // the first run at step 50, and short of it at step 100.
    double midway = (before.get(0).validationLoss() + before.get(1).validationLoss()) / 2;
    assertTrue(
        progress.get(0).validationLoss() < midway,
        "resumed at " + progress.get(0).validationLoss() + ", the first run had "
            + before.get(0).validationLoss() + " at step 50 and "
            + before.get(1).validationLoss() + " at step 100");
    assertTrue(resumed.validationLoss() <= first.validationLoss());
    try (ConditionalDensity density = Checkpoint.read(directory).orElseThrow().density) {
      assertFalse(
          Arrays.equals(atInterrupt, logProbs(density, buffer.validationSet())),
          "the resumed run trains the restored parameters");
    }
  }

  @Test
  void resumingAnotherEstimatorIsRefused(@TempDir Path directory) throws Exception {
    ReplayBuffer buffer = TRUTH.buffer(500, 4);
    TrainerConfig config =
        new TrainerConfig(64, 1e-3, 10, 5.0, 1).withCheckpoints(directory, 10, true);
    new NpeTrainer(FlowConfig.defaults(), config)
        .train(buffer, PRIOR, StoppingRule.maxSteps(10))
        .posterior()
        .close();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new NpeTrainer(FlowConfig.defaults(Estimator.NSF), config)
                    .train(buffer, PRIOR, StoppingRule.maxSteps(20)));
    assertTrue(e.getMessage().contains("NSF"), e.getMessage());
  }
}
