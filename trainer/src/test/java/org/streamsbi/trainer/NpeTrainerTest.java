package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.buffer.Minibatch;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.buffer.ReplayBufferConfig;
import org.streamsbi.buffer.SelectorType;
import org.streamsbi.core.Sample;
import org.streamsbi.core.prior.MultivariateNormal;
import org.streamsbi.core.prior.Prior;

/** The training loop: validation, best-parameter restore, persistence, seeding, streaming. */
class NpeTrainerTest {
  private static final LinearGaussian TRUTH =
      LinearGaussian.correlated2d();
  private static final Prior PRIOR = MultivariateNormal.isotropic(new double[2], 100);

  /** Mean −log q over the validation split, one row at a time through the public API. */
  private static double validationLoss(Posterior posterior, ReplayBuffer buffer) {
    Minibatch validation = buffer.validationSet();
    double sum = 0;
    for (int r = 0; r < validation.size(); r++) {
      sum -= posterior.logProb(new float[][] {validation.theta(r)}, validation.x(r))[0];
    }
    return sum / validation.size();
  }

  @Test
  void keepsTheBestValidatedParameters() throws Exception {
    ReplayBuffer buffer = TRUTH.buffer(4_000, 3);
    List<TrainingProgress> progress = new CopyOnWriteArrayList<>();
    // A large step size makes the validation loss jump about, so the last one is not the best.
    TrainingResult result =
        new NpeTrainer(FlowConfig.defaults(), new TrainerConfig(128, 3e-3, 50, 5.0, 4))
            .train(buffer, PRIOR, StoppingRule.patience(3), progress::add);
    TrainingProgress last = progress.get(progress.size() - 1);
    double best = progress.stream().mapToDouble(TrainingProgress::validationLoss).min().orElseThrow();
    assertEquals(3, last.validationsSinceImprovement());
    assertEquals(best, last.bestValidationLoss());
    assertEquals(best, result.validationLoss());
    assertEquals(last.step(), result.steps());
    assertEquals(50L * progress.size(), result.steps());
    assertEquals(result.steps() * 128, last.samplesSeen());
    assertTrue(
        Math.abs(last.validationLoss() - best) > 1e-3,
        "the last validation (" + last.validationLoss() + ") should differ from the best " + best);
    try (Posterior posterior = result.posterior()) {
      assertEquals(best, validationLoss(posterior, buffer), 1e-4);
    }
  }

  /**
   * A best scored on an early, small validation split of easy samples would stay unbeaten by
   * estimators scored on the larger split of harder ones that follows: it is scored again when the
   * split grows, and what training returns is scored on the final split. Once the inserts are
   * finished, the first validation on all the samples chooses the best afresh.
   */
  @Test
  void theKeptBestIsComparedOnTheSameValidationRowsAsTheEstimatorsAfterIt() throws Exception {
    ReplayBuffer buffer = new ReplayBuffer(new ReplayBufferConfig(6_000, 200, 0.1), 2, 2);
    SplittableRandom rng = new SplittableRandom(3);
    int[] inserted = {0};
    while (inserted[0] < 300) {
      insert(buffer, rng, inserted[0]++);
    }
    NpeTrainer trainer =
        new NpeTrainer(FlowConfig.defaults(), new TrainerConfig(64, 1e-3, 20, 5.0, 5));
    List<TrainingProgress> progress = new CopyOnWriteArrayList<>();
    List<double[]> reportedAndKept = new CopyOnWriteArrayList<>();
    TrainingResult result =
        trainer.train(
            buffer,
            PRIOR,
            StoppingRule.maxSteps(300),
            p -> {
              progress.add(p);
              try (Posterior kept = trainer.bestSoFar().orElseThrow()) {
                reportedAndKept.add(new double[] {p.bestValidationLoss(), validationLoss(kept, buffer)});
              }
              // The listener runs on the training thread: the split grows between validations.
              if (p.step() == 60) {
                while (inserted[0] < 5_300) {
                  insertBroad(buffer, rng, inserted[0]++);
                }
              }
              if (p.step() == 200) {
                buffer.finishInserts();
              }
            });
    for (double[] pair : reportedAndKept) {
      assertEquals(pair[1], pair[0], 1e-4, "the best reported is the kept estimator's loss now");
    }
    TrainingProgress firstOnAll =
        progress.stream().filter(p -> p.step() == 220).findFirst().orElseThrow();
    assertEquals(0, firstOnAll.validationsSinceImprovement());
    assertEquals(firstOnAll.validationLoss(), firstOnAll.bestValidationLoss());
    double bestOnAll =
        progress.stream().filter(p -> p.step() >= 220).mapToDouble(TrainingProgress::validationLoss).min().orElseThrow();
    assertEquals(bestOnAll, result.validationLoss());
    try (Posterior posterior = result.posterior()) {
      assertEquals(result.validationLoss(), validationLoss(posterior, buffer), 1e-4);
    }
  }

  /** A single flow and an ensemble of two, whose file holds both members. */
  @Test
  void savedPosteriorGivesIdenticalLogProbsAndDraws() throws Exception {
    for (FlowConfig flow : List.of(FlowConfig.defaults(), FlowConfig.defaults().withEnsemble(2))) {
      savedPosteriorGivesIdenticalLogProbsAndDraws(flow);
    }
  }

  private static void savedPosteriorGivesIdenticalLogProbsAndDraws(FlowConfig flow)
      throws Exception {
    ReplayBuffer buffer = TRUTH.buffer(2_000, 5);
    try (Posterior posterior =
        new NpeTrainer(flow, new TrainerConfig(128, 1e-3, 100, 5.0, 5))
            .train(buffer, PRIOR, StoppingRule.maxSteps(200))
            .posterior()) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      posterior.save(bytes);
      try (Posterior loaded = Posterior.load(new ByteArrayInputStream(bytes.toByteArray()), PRIOR)) {
        assertEquals(flow, loaded.flowConfig());
        Minibatch rows = buffer.trainingSet();
        float[][] theta = new float[100][];
        for (int r = 0; r < theta.length; r++) {
          theta[r] = rows.theta(r);
        }
        float[] x = rows.x(0);
        assertArrayEquals(posterior.logProb(theta, x), loaded.logProb(theta, x));
        float[][] drawn = posterior.sample(50, x, 9).theta();
        float[][] reloaded = loaded.sample(50, x, 9).theta();
        for (int r = 0; r < drawn.length; r++) {
          assertArrayEquals(drawn[r], reloaded[r]);
        }
      }
    }
  }

  @Test
  void theSameSeedTrainsTheSameModel() throws Exception {
    ReplayBuffer buffer = TRUTH.buffer(2_000, 6);
    float[][] theta = {{0f, 0f}, {1f, -1f}, {0.5f, 2f}};
    float[] x = {0.2f, -0.3f};
    double[][] logQ = new double[3][];
    long[] seeds = {11, 11, 12};
    for (int i = 0; i < seeds.length; i++) {
      try (Posterior posterior =
          new NpeTrainer(FlowConfig.defaults(), new TrainerConfig(128, 1e-3, 100, 5.0, seeds[i]))
              .train(buffer, PRIOR, StoppingRule.maxSteps(200))
              .posterior()) {
        logQ[i] = posterior.logProb(theta, x);
      }
    }
    assertArrayEquals(logQ[0], logQ[1]);
    assertFalse(Arrays.equals(logQ[0], logQ[2]), "another seed, another model");
  }

  @Test
  void weightDecayShrinksTheWeightsAndIsValidated(@TempDir Path directory) throws Exception {
    ReplayBuffer buffer = TRUTH.buffer(2_000, 6);
    double[] norms = new double[2];
    double[] decays = {0, 5};
    for (int i = 0; i < decays.length; i++) {
      Path checkpoint = directory.resolve("decay-" + i);
      TrainerConfig config =
          new TrainerConfig(128, 1e-3, 100, 5.0, 11)
              .withWeightDecay(decays[i])
              .withCheckpoints(checkpoint, 1_000, false);
      new NpeTrainer(FlowConfig.defaults(), config)
          .train(buffer, PRIOR, StoppingRule.maxSteps(300))
          .posterior()
          .close();
      try (ConditionalDensity trained = Checkpoint.read(checkpoint).orElseThrow().density) {
        for (var parameter : trained.estimator().getParameters().values()) {
          if (parameter.requiresGradient()) {
            norms[i] += parameter.getArray().square().sum().getFloat();
          }
        }
      }
    }
    assertTrue(norms[1] < 0.8 * norms[0], "squared norms " + Arrays.toString(norms));
    IllegalArgumentException refused =
        assertThrows(IllegalArgumentException.class, () -> TrainerConfig.defaults().withWeightDecay(-1));
    assertTrue(refused.getMessage().startsWith("trainer.weightDecay"), refused.getMessage());
  }

  /**
   * Training waits for the watermark, then draws while samples keep arriving, and an interrupt
   * ends it with a usable result.
   */
  @Test
  void trainsWhileSamplesArriveAndStopsWhenInterrupted() throws Exception {
    ReplayBuffer buffer =
        new ReplayBuffer(new ReplayBufferConfig(20_000, 1_000, 0.1), 2, 2);
    List<TrainingProgress> progress = new CopyOnWriteArrayList<>();
    CountDownLatch validated = new CountDownLatch(3);
    AtomicReference<TrainingResult> result = new AtomicReference<>();
    AtomicBoolean interruptKept = new AtomicBoolean();
    Thread training =
        new Thread(
            () -> {
              try {
                result.set(
                    new NpeTrainer(FlowConfig.defaults(), new TrainerConfig(128, 1e-3, 20, 5.0, 1))
                        .train(
                            buffer,
                            PRIOR,
                            p -> false,
                            p -> {
                              progress.add(p);
                              validated.countDown();
                            }));
                interruptKept.set(Thread.currentThread().isInterrupted());
              } catch (InterruptedException e) {
                throw new AssertionError("interrupted while waiting for the watermark", e);
              }
            });
    training.start();
    SplittableRandom rng = new SplittableRandom(2);
    int inserted = 0;
    while (buffer.trainingSize() < 900) {
      insert(buffer, rng, inserted++);
    }
    assertTrue(training.isAlive());
    assertTrue(progress.isEmpty(), "trained below the watermark");
    while (validated.getCount() > 0 && inserted < 20_000) {
      insert(buffer, rng, inserted++);
      if (inserted % 500 == 0) {
        Thread.sleep(5);
      }
    }
    assertTrue(validated.await(2, TimeUnit.MINUTES), "no validations");
    training.interrupt();
    training.join(TimeUnit.MINUTES.toMillis(2));
    assertFalse(training.isAlive());
    assertTrue(interruptKept.get(), "the interrupt flag is kept for the caller");
    assertTrue(result.get().steps() >= 60);
    assertTrue(Double.isFinite(result.get().validationLoss()));
    result.get().posterior().close();
  }

  @Test
  void reportsPerSampleLossesToAPrioritizedBuffer() throws Exception {
    int n = 400;
    try (ReplayBuffer buffer =
        new ReplayBuffer(
            new ReplayBufferConfig(n, n / 2, 0.1).withSelector(SelectorType.PRIORITIZED),
            TRUTH.thetaDimension(),
            TRUTH.xDimension())) {
      SplittableRandom rng = new SplittableRandom(8);
      for (int i = 0; i < n; i++) {
        insert(buffer, rng, i);
      }
      new NpeTrainer(FlowConfig.defaults(), new TrainerConfig(64, 1e-3, 20, 5.0, 0))
          .train(buffer, PRIOR, StoppingRule.maxSteps(20))
          .posterior()
          .close();
      // Until losses are reported every sample has the same priority and draws are uniform.
      int rows = buffer.trainingSize();
      int draws = 100_000;
      java.util.Map<Long, Integer> counts = new java.util.HashMap<>();
      for (long key : buffer.sample(draws, new SplittableRandom(1)).keys()) {
        counts.merge(key, 1, Integer::sum);
      }
      double expected = draws / (double) rows;
      double chiSquare = (rows - counts.size()) * expected;
      for (int c : counts.values()) {
        chiSquare += (c - expected) * (c - expected) / expected;
      }
      assertTrue(chiSquare > 3 * rows, "draws look uniform, χ² = " + chiSquare + " over " + rows + " rows");
    }
  }

  /** A sample whose θ spreads 3 further around the truth's posterior: harder to fit. */
  private static void insertBroad(ReplayBuffer buffer, SplittableRandom rng, int i) {
    float[] x = TRUTH.x(rng);
    float[] theta = TRUTH.theta(x, rng);
    for (int d = 0; d < theta.length; d++) {
      theta[d] += (float) (3 * rng.nextGaussian());
    }
    String id = "broad" + i;
    buffer.insert(new Sample(id, "run", 1, id, 0, theta, x, "w", 0));
  }

  private static void insert(ReplayBuffer buffer, SplittableRandom rng, int i) {
    float[] x = TRUTH.x(rng);
    String id = "live" + i;
    buffer.insert(new Sample(id, "run", 1, id, 0, TRUTH.theta(x, rng), x, "w", 0));
  }
}
