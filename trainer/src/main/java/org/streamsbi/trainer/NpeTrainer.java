package org.streamsbi.trainer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.loss.Loss;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamsbi.buffer.Minibatch;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.buffer.SelectorType;
import org.streamsbi.core.prior.Prior;

/**
 * Neural posterior estimation trained online: Adam steps on −log q(θ | x) over minibatches drawn
 * from a replay buffer that simulators may still be filling, validation on the buffer's held-out
 * split, and the best validated parameters kept, as sbi's NPE does per round.
 *
 * <p>Validation losses only compare on the same rows, and the split grows while samples arrive:
 * the kept best is scored again whenever the split changed since it was scored, and once the
 * buffer's inserts are finished the first validation on the complete data replaces a best chosen
 * before, so the estimator kept is one trained on all the samples of the round.
 */
public final class NpeTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(NpeTrainer.class);
  private final FlowConfig flowConfig;
  private final TrainerConfig config;
  private final Posterior start;
  /** Null for the NPE loss. */
  private final AtomicLoss atomicLoss;
  private volatile BestSoFar bestSoFar;

  public NpeTrainer(FlowConfig flowConfig, TrainerConfig config) {
    this(flowConfig, config, null, null);
  }

  private NpeTrainer(
      FlowConfig flowConfig, TrainerConfig config, Posterior start, AtomicLoss atomicLoss) {
    this.flowConfig = flowConfig;
    this.config = config;
    this.start = start;
    this.atomicLoss = atomicLoss;
  }

  /**
   * A trainer that continues from a copy of {@code posterior}'s parameters and z-scoring instead
   * of a fresh flow, as sbi's later rounds continue the first round's network.
   */
  public NpeTrainer startingFrom(Posterior posterior) {
    if (!posterior.flowConfig().equals(flowConfig)) {
      throw new IllegalArgumentException(
          "the posterior to start from is " + posterior.flowConfig() + ", this trainer "
              + flowConfig);
    }
    return new NpeTrainer(flowConfig, config, posterior, atomicLoss);
  }

  /**
   * A trainer that minimises SNPE-C's atomic loss (APT, Greenberg et al. 2019) with {@code atoms}
   * atoms per row instead of −log q, as sbi's SNPE-C from its second round on: with θ proposed
   * from an earlier posterior rather than the prior, q still converges to the posterior under the
   * prior. Validation losses, and the best parameters they select, are the atomic loss too.
   *
   * @param atoms atoms per row, the row's own θ included (sbi: 10); at least 2
   */
  public NpeTrainer withAtomicLoss(int atoms) {
    return new NpeTrainer(flowConfig, config, start, new AtomicLoss(atoms));
  }

  /**
   * The best validated estimator of the training running now, as an independent copy the caller
   * owns and closes; empty before the first validation that improved. Safe to call from any
   * thread while {@code train} runs.
   */
  public Optional<Posterior> bestSoFar() {
    BestSoFar best = bestSoFar;
    if (best == null) {
      return Optional.empty();
    }
    return Optional.of(
        new Posterior(
            ConditionalDensity.withParameters(flowConfig, best.standardization, best.parameters),
            best.prior));
  }

  /** What {@link #bestSoFar} rebuilds a posterior from: immutable once published. */
  private record BestSoFar(Standardization standardization, byte[] parameters, Prior prior) {}

  public TrainingResult train(ReplayBuffer buffer, Prior prior, StoppingRule rule)
      throws InterruptedException {
    return train(buffer, prior, rule, progress -> {});
  }

  /**
   * Waits for the buffer's watermark, fixes the z-scoring from the training rows held then, and
   * trains until the rule stops it or the thread is interrupted; an interrupt during training ends
   * it like a stop (the interrupt flag stays set). Only one training step runs at a time per JVM.
   *
   * <p>With a checkpoint directory, a {@link Checkpoint} is written every checkpoint interval and
   * when training ends. With {@code resume} and a checkpoint there, training continues from it
   * instead: its z-scoring, parameters, step and best parameters replace fresh ones, and its
   * estimator and dimensions must match this trainer's and the buffer's.
   *
   * @param listener told of every validation, before the rule
   * @throws InterruptedException when interrupted while waiting for the watermark
   */
  public TrainingResult train(
      ReplayBuffer buffer, Prior prior, StoppingRule rule, Consumer<TrainingProgress> listener)
      throws InterruptedException {
    if (prior.dimension() != buffer.thetaDimension()) {
      throw new IllegalArgumentException(
          "the prior has " + prior.dimension() + " parameters, the buffer's θ "
              + buffer.thetaDimension());
    }
    long waitingForWatermark = System.nanoTime();
    buffer.awaitWatermark(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    double watermarkSeconds = (System.nanoTime() - waitingForWatermark) / 1e9;
    Checkpoint resumed = config.resume() ? resumable(buffer) : null;
    ConditionalDensity density;
    if (resumed != null) {
      density = resumed.density;
    } else if (start != null) {
      density = start.densityCopy();
    } else {
      density = ConditionalDensity.untrained(flowConfig, buffer.trainingSet(), prior);
    }
    if (density.thetaDimension() != buffer.thetaDimension()
        || density.xDimension() != buffer.xDimension()) {
      density.close();
      throw new IllegalArgumentException(
          "the estimator to continue from is for θ of " + density.thetaDimension() + " and x of "
              + density.xDimension() + " dimensions, the buffer's are " + buffer.thetaDimension()
              + " and " + buffer.xDimension());
    }
    bestSoFar = null;
    try {
      Run run = new Run(density, buffer, prior, rule, listener, resumed, watermarkSeconds);
      run.loop();
      return new TrainingResult(
          run.step,
          run.resultLoss,
          new Posterior(density, prior),
          watermarkSeconds,
          run.trainingSeconds,
          run.waitingNanos / 1e9);
    } catch (RuntimeException | Error e) {
      density.close();
      throw e;
    }
  }

  /** The checkpoint to continue from, or null when the directory holds none. */
  private Checkpoint resumable(ReplayBuffer buffer) {
    Checkpoint checkpoint;
    try {
      checkpoint = Checkpoint.read(config.checkpointDirectory()).orElse(null);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "the checkpoint in " + config.checkpointDirectory() + " cannot be read", e);
    }
    if (checkpoint == null) {
      return null;
    }
    ConditionalDensity density = checkpoint.density;
    if (checkpoint.atoms != atoms()) {
      density.close();
      throw new IllegalArgumentException(
          "the checkpoint in " + config.checkpointDirectory() + " was trained with "
              + lossName(checkpoint.atoms) + "; this training uses " + lossName(atoms()));
    }
    if (!density.config().equals(flowConfig)
        || density.thetaDimension() != buffer.thetaDimension()
        || density.xDimension() != buffer.xDimension()) {
      density.close();
      throw new IllegalArgumentException(
          "the checkpoint in " + config.checkpointDirectory() + " holds " + density.config()
              + " for θ of " + density.thetaDimension() + " and x of " + density.xDimension()
              + " dimensions; this training is " + flowConfig + " for " + buffer.thetaDimension()
              + " and " + buffer.xDimension());
    }
    return checkpoint;
  }

  /** Atoms of the atomic loss this trainer uses; 0 for the NPE loss. */
  private int atoms() {
    return atomicLoss == null ? 0 : atomicLoss.atoms();
  }

  private static String lossName(int atoms) {
    return atoms == 0 ? "the NPE loss" : "the atomic loss with " + atoms + " atoms";
  }

  /** The state of one training run. */
  private final class Run {
    private final ConditionalDensity density;
    private final ReplayBuffer buffer;
    private final Prior prior;
    private final StoppingRule rule;
    private final Consumer<TrainingProgress> listener;
    private final boolean reportsLosses;
    private final double watermarkSeconds;
    private final Checkpoint resumed;
    private final LearningRate learningRate;
    private CheckpointableAdam optimizer;
    private long step;
    private long nextValidation = -1;
    private long waitingNanos;
    private double trainingSeconds;
    private double best = Double.POSITIVE_INFINITY;
    private byte[] bestParameters;
    /** {@link ReplayBuffer#validationInserts} when {@link #best} was scored; -1 when unknown. */
    private long bestScoredOn = -1;
    /** Whether the best was chosen with the buffer's inserts finished. */
    private boolean bestOnAllSamples;
    private int sinceImprovement;
    private double resultLoss;

    Run(
        ConditionalDensity density,
        ReplayBuffer buffer,
        Prior prior,
        StoppingRule rule,
        Consumer<TrainingProgress> listener,
        Checkpoint resumed,
        double watermarkSeconds) {
      this.density = density;
      this.buffer = buffer;
      this.prior = prior;
      this.rule = rule;
      this.listener = listener;
      this.reportsLosses = buffer.config().selector() == SelectorType.PRIORITIZED;
      this.watermarkSeconds = watermarkSeconds;
      this.resumed = resumed;
      this.learningRate = new LearningRate(config.learningRate(), config.learningRateSchedule());
      if (resumed != null) {
        step = resumed.step;
        best = resumed.bestValidationLoss;
        sinceImprovement = resumed.validationsSinceImprovement;
        bestParameters = resumed.bestParameters;
        nextValidation = resumed.nextValidation;
        learningRate.restorePlateauScale(resumed.learningRateScale);
        learningRate.restoreHeld(resumed.learningRateHeld);
      }
    }

    /**
     * The minibatch draws of each step come from a generator keyed by the seed and the step, so a
     * resumed run draws what an uninterrupted one would have drawn from the same buffer. The key
     * is hashed: SplittableRandom's streams for seeds one golden-gamma apart are the same stream
     * shifted by one draw, which would make consecutive minibatches almost equal.
     */
    private SplittableRandom stepRandom() {
      return new SplittableRandom(mix64(mix64(config.seed()) + step));
    }

    /** SplittableRandom's own finaliser (Stafford's mix 13). */
    private static long mix64(long z) {
      z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
      return z ^ (z >>> 31);
    }

    private void restoreOptimizer(FlatParameters flat) {
      if (resumed == null || resumed.optimizerState == null) {
        return;
      }
      try {
        optimizer.restore(
            flat.sizes(),
            flat.vector(),
            new DataInputStream(new ByteArrayInputStream(resumed.optimizerState)));
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "the optimizer state in the checkpoint in " + config.checkpointDirectory()
                + " does not fit the flow",
            e);
      }
    }

    void loop() {
      Loss loss = atomicLoss == null ? new NegativeLogLikelihood() : atomicLoss;
      ConditionalEstimator flow = density.estimator();
      NDManager modelManager = density.model().getNDManager();
      long started = System.nanoTime();
      Engine.getInstance().setRandomSeed(Long.hashCode(config.seed()));
      flow.initialize(
          modelManager,
          DataType.FLOAT32,
          new Shape(config.batchSize(), flow.thetaDimension()),
          new Shape(config.batchSize(), flow.contextDimension()));
      try (NDManager runManager = modelManager.newSubManager();
          FlatParameters flat =
              new FlatParameters(flow.getParameters().values(), runManager);
          CheckpointableAdam adam = new CheckpointableAdam(learningRate, config.weightDecay())) {
        optimizer = adam;
        restoreOptimizer(flat);
        double lossSum = 0;
        int losses = 0;
        if (nextValidation <= step) {
          nextValidation = step + validationInterval();
        }
        long intervalStarted = System.nanoTime();
        long intervalSteps = 0;
        while (!Thread.currentThread().isInterrupted()) {
          lossSum += step(flat, loss);
          losses++;
          step++;
          intervalSteps++;
          if (step >= nextValidation) {
            double intervalSeconds = (System.nanoTime() - intervalStarted) / 1e9;
            flat.writeBack();
            boolean allSamples = buffer.insertsFinished();
            long splitVersion = buffer.validationInserts();
            Minibatch validation = buffer.validationSet();
            double validationLoss = validationLoss(density, validation);
            rescoreBest(validation, splitVersion);
            if (validationLoss < best || (allSamples && !bestOnAllSamples)) {
              best = validationLoss;
              bestScoredOn = splitVersion;
              bestOnAllSamples = allSamples;
              sinceImprovement = 0;
              bestParameters = density.saveParameters();
              bestSoFar = new BestSoFar(density.standardization(), bestParameters, prior);
            } else {
              sinceImprovement++;
            }
            learningRate.validated(sinceImprovement, !allSamples);
            TrainingProgress progress =
                new TrainingProgress(
                    step,
                    step * config.batchSize(),
                    lossSum / losses + lossScale(),
                    validationLoss,
                    best,
                    sinceImprovement,
                    (System.nanoTime() - started) / 1e9,
                    learningRate.current(optimizer.updates()),
                    intervalSteps / intervalSeconds,
                    intervalSteps * config.batchSize() / intervalSeconds,
                    watermarkSeconds,
                    waitingNanos / 1e9);
            listener.accept(progress);
            nextValidation = step + validationInterval();
            if (rule.shouldStop(progress)) {
              break;
            }
            lossSum = 0;
            losses = 0;
            intervalSteps = 0;
            intervalStarted = System.nanoTime();
          }
          // After the validation of the same step, so that a resumed run does not repeat it.
          if (config.checkpointDirectory() != null && step % config.checkpointInterval() == 0) {
            checkpoint(flat);
          }
        }
        // Before the vector and the optimizer's moments are freed.
        if (config.checkpointDirectory() != null) {
          checkpoint(flat);
        } else {
          flat.writeBack();
        }
      }
      trainingSeconds = (System.nanoTime() - started) / 1e9;
      if (bestParameters != null) {
        density.loadParameters(bestParameters);
      }
      // Interrupted before the first validation, the validation split still empty, or samples
      // that arrived since the best was scored: the kept estimator is scored on the split as it is.
      long splitVersion = buffer.validationInserts();
      resultLoss =
          bestParameters != null && splitVersion == bestScoredOn
              ? best
              : validationLoss(density, buffer.validationSet());
    }

    /**
     * Scores the kept best again on {@code validation} when the split changed since it was
     * scored, so that it and the current parameters compare on the same rows.
     */
    private void rescoreBest(Minibatch validation, long splitVersion) {
      if (bestParameters == null || splitVersion == bestScoredOn) {
        return;
      }
      try (ConditionalDensity kept =
          ConditionalDensity.withParameters(flowConfig, density.standardization(), bestParameters)) {
        best = validationLoss(kept, validation);
      }
      bestScoredOn = splitVersion;
    }

    private void checkpoint(FlatParameters flat) {
      flat.writeBack();
      ByteArrayOutputStream state = new ByteArrayOutputStream();
      try {
        optimizer.save(flat.sizes(), new DataOutputStream(state));
      } catch (IOException e) {
        throw new IllegalStateException("writing to memory failed", e);
      }
      new Checkpoint(
              step,
              best,
              sinceImprovement,
              bestParameters,
              density,
              nextValidation,
              state.toByteArray(),
              learningRate.plateauScale(),
              atoms(),
              learningRate.held())
          .write(config.checkpointDirectory());
    }

    private long validationInterval() {
      if (config.validationInterval() > 0) {
        return config.validationInterval();
      }
      return Math.max(1, (buffer.trainingSize() + config.batchSize() - 1) / config.batchSize());
    }

    /**
     * What turns the mean training loss into the original θ space: the z-scoring's log scale for
     * −log q; nothing for the atomic loss, in which it cancels.
     */
    private double lossScale() {
      return atomicLoss == null ? density.standardization().thetaLogScale() : 0;
    }

    /** One Adam step on a fresh minibatch; returns its loss in the z-scored space. */
    private float step(FlatParameters flat, Loss loss) {
      Standardization standardization = density.standardization();
      long drawing = System.nanoTime();
      SplittableRandom random = stepRandom();
      Minibatch batch = buffer.sample(config.batchSize(), random);
      waitingNanos += System.nanoTime() - drawing;
      try (NDManager manager = density.model().getNDManager().newSubManager()) {
        NDArray theta;
        NDArray x;
        NDList labels;
        if (atomicLoss == null) {
          theta =
              manager.create(
                  standardization.theta(batch.theta()),
                  new Shape(batch.size(), batch.thetaDimension()));
          x = manager.create(standardization.x(batch.x()), new Shape(batch.size(), batch.xDimension()));
          labels = new NDList();
        } else {
          int atoms = atomicLoss.atomsFor(batch.size());
          AtomicLoss.Pairs pairs =
              AtomicLoss.pairs(
                  batch, AtomicLoss.atomRows(batch.size(), atoms, random), standardization, prior);
          int rows = batch.size() * atoms;
          theta = manager.create(pairs.theta(), new Shape(rows, batch.thetaDimension()));
          x = manager.create(pairs.x(), new Shape(rows, batch.xDimension()));
          labels = new NDList(manager.create(pairs.offsets(), new Shape(batch.size(), atoms)));
        }
        float batchLoss;
        float[] rowLosses = null;
        synchronized (Djl.AUTOGRAD) {
          try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            ConditionalEstimator estimator = density.estimator();
            Function<Parameter, NDArray> views = flat.views(manager);
            // An ensemble's members each fit −log q on their own; the atomic loss compares atoms
            // under the one density that is validated and sampled, the mixture.
            NDList logQ =
                new NDList(
                    atomicLoss == null
                        ? estimator.trainingLogProb(theta, x, views)
                        : estimator.logProb(theta, x, views));
            NDArray mean = loss.evaluate(labels, logQ);
            collector.backward(mean);
            batchLoss = mean.getFloat();
            if (reportsLosses) {
              rowLosses =
                  atomicLoss == null
                      ? logQ.singletonOrThrow().neg().toFloatArray()
                      : atomicLoss.rowLosses(labels, logQ).toFloatArray();
            }
          }
          NDArray gradient = flat.gradient(manager);
          if (clipped(gradient)) {
            learningRate.beforeUpdate(optimizer.updates() + 1, !buffer.insertsFinished());
            optimizer.update(flat.vector(), gradient);
            // The next backward pass adds to the gradient.
            gradient.muli(0);
          } else {
            LOG.warn("step {}: non-finite gradients (loss {}), the step is skipped", step, batchLoss);
          }
        }
        if (rowLosses != null) {
          buffer.reportLosses(batch.keys(), rowLosses);
        }
        return batchLoss;
      }
    }

    /**
     * Scales the gradient so its L2 norm is at most clipMaxNorm, as
     * torch.nn.utils.clip_grad_norm_ in sbi (Adam's own clipGrad clamps each value instead). A
     * non-finite gradient is zeroed and refused: one such Adam step would make every parameter NaN
     * for good, and the next minibatch is a different one.
     *
     * @return whether the gradient is finite and the step may be taken
     */
    private boolean clipped(NDArray gradient) {
      float norm = gradient.norm().getFloat();
      if (!Float.isFinite(norm)) {
        // NaN × 0 stays NaN, but NaN⁰ is 1.
        gradient.powi(0).muli(0);
        return false;
      }
      double coefficient = config.clipMaxNorm() / (norm + 1e-6);
      if (coefficient < 1) {
        gradient.muli((float) coefficient);
      }
      return true;
    }

    /**
     * Mean −log q(θ | x), or the atomic loss, of {@code estimate} over {@code validation}; NaN when
     * it is empty. The atoms are the same at every validation, so that validations compare.
     */
    private double validationLoss(ConditionalDensity estimate, Minibatch validation) {
      if (validation.size() == 0) {
        return Double.NaN;
      }
      if (atomicLoss != null) {
        return atomicLoss.meanLoss(
            estimate, validation, prior, config.batchSize(), new SplittableRandom(config.seed()));
      }
      double sum = 0;
      for (double logQ : estimate.logProb(validation.theta(), validation.x(), validation.size())) {
        sum += logQ;
      }
      return -sum / validation.size();
    }
  }
}
