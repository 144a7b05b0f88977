package org.streamsbi.trainer;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.SplittableRandom;

/**
 * The classifier two-sample test (C2ST) as sbibm computes it: the mean held-out accuracy of an MLP
 * telling two sample sets apart. 0.5 means indistinguishable, 1.0 disjoint.
 *
 * <p>Both sets are z-scored with the reference's mean and std; the classifier is sklearn's
 * MLPClassifier as sbibm configures it (two ReLU hidden layers of 10·dim units, logistic output,
 * Glorot-uniform init, Adam at 1e-3, batches of min(200, n), L2 penalty 1e-4, up to 10,000
 * epochs, reshuffled each epoch, stopped once the epoch's training loss has failed to improve by
 * 1e-4 for more than 10 epochs in a row), scored by 5-fold shuffled cross-validation.
 */
public final class ClassifierTwoSampleTest {
  private static final int FOLDS = 5;
  private static final int MAX_EPOCHS = 10_000;
  private static final double TOLERANCE = 1e-4;
  private static final int EPOCHS_WITHOUT_CHANGE = 10;
  private static final float LEARNING_RATE = 1e-3f;
  private static final int MAX_BATCH = 200;
  private static final double L2_PENALTY = 1e-4;

  private ClassifierTwoSampleTest() {}

  /**
   * Mean 5-fold cross-validated accuracy of a classifier between the two sets.
   *
   * @param reference rows of the reference sample; their mean and std z-score both sets
   * @param samples rows of the sample under test, of the same width
   * @param seed fixes the folds, the shuffles and the classifier's initial weights
   */
  public static double accuracy(float[][] reference, float[][] samples, long seed) {
    if (reference.length == 0 || samples.length == 0) {
      throw new IllegalArgumentException("C2ST needs two non-empty sample sets");
    }
    int dim = reference[0].length;
    int n = reference.length + samples.length;
    if (n < 2 * FOLDS) {
      throw new IllegalArgumentException(
          "C2ST needs at least " + 2 * FOLDS + " rows in all, got " + n);
    }
    double[] mean = new double[dim];
    double[] std = new double[dim];
    for (float[] row : reference) {
      for (int c = 0; c < dim; c++) {
        mean[c] += row[c];
      }
    }
    for (int c = 0; c < dim; c++) {
      mean[c] /= reference.length;
    }
    for (float[] row : reference) {
      for (int c = 0; c < dim; c++) {
        std[c] += (row[c] - mean[c]) * (row[c] - mean[c]);
      }
    }
    for (int c = 0; c < dim; c++) {
      std[c] = Math.sqrt(std[c] / Math.max(1, reference.length - 1));
    }
    float[] x = new float[n * dim];
    float[] y = new float[n];
    for (int r = 0; r < n; r++) {
      float[] row = r < reference.length ? reference[r] : samples[r - reference.length];
      if (row.length != dim) {
        throw new IllegalArgumentException(
            "row " + r + " has " + row.length + " values, expected " + dim);
      }
      for (int c = 0; c < dim; c++) {
        x[r * dim + c] = (float) ((row[c] - mean[c]) / std[c]);
      }
      y[r] = r < reference.length ? 0f : 1f;
    }
    SplittableRandom rng = new SplittableRandom(seed);
    int[] order = permutation(n, rng);
    double sum = 0;
    int start = 0;
    for (int fold = 0; fold < FOLDS; fold++) {
      // sklearn's KFold: the first n % k folds hold one row more.
      int size = n / FOLDS + (fold < n % FOLDS ? 1 : 0);
      Split split = new Split(x, y, dim, order, start, start + size);
      sum += split.accuracy(rng.nextLong());
      start += size;
    }
    return sum / FOLDS;
  }

  private static int[] permutation(int n, SplittableRandom rng) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** One cross-validation fold: rows order[from, to) are held out. */
  private static final class Split {
    private final int dim;
    private final int trainRows;
    private final int testRows;
    private final float[] trainX;
    private final float[] trainY;
    private final float[] testX;
    private final float[] testY;

    Split(float[] x, float[] y, int dim, int[] order, int from, int to) {
      this.dim = dim;
      testRows = to - from;
      trainRows = order.length - testRows;
      trainX = new float[trainRows * dim];
      trainY = new float[trainRows];
      testX = new float[testRows * dim];
      testY = new float[testRows];
      int train = 0;
      for (int i = 0; i < order.length; i++) {
        boolean held = i >= from && i < to;
        int slot = held ? i - from : train++;
        System.arraycopy(x, order[i] * dim, held ? testX : trainX, slot * dim, dim);
        (held ? testY : trainY)[slot] = y[order[i]];
      }
    }

    double accuracy(long seed) {
      int hidden = 10 * dim;
      int batch = Math.min(MAX_BATCH, trainRows);
      SequentialBlock net =
          new SequentialBlock()
              .add(glorot(hidden, dim))
              .add(Activation.reluBlock())
              .add(glorot(hidden, hidden))
              .add(Activation.reluBlock())
              .add(glorot(1, hidden));
      // sklearn adds α·W / batch to each weight gradient; Adam's weight decay is that term (it
      // also reaches the biases, which sklearn leaves alone: immaterial at α = 1e-4).
      DefaultTrainingConfig config =
          new DefaultTrainingConfig(new BinaryLogLoss())
              .optDevices(new Device[] {Djl.device()})
              .optOptimizer(
                  Optimizer.adam()
                      .optLearningRateTracker(Tracker.fixed(LEARNING_RATE))
                      .optWeightDecays((float) (L2_PENALTY / batch))
                      .build());
      SplittableRandom rng = new SplittableRandom(seed);
      try (Model model = Model.newInstance("c2st", Djl.device())) {
        model.setBlock(net);
        try (Trainer trainer = model.newTrainer(config)) {
          Engine.getInstance().setRandomSeed(Long.hashCode(seed));
          trainer.initialize(new Shape(batch, dim));
          NDManager manager = trainer.getManager();
          NDArray x = manager.create(trainX, new Shape(trainRows, dim));
          NDArray y = manager.create(trainY, new Shape(trainRows, 1));
          double best = Double.POSITIVE_INFINITY;
          int withoutImprovement = 0;
          for (int epoch = 0; epoch < MAX_EPOCHS; epoch++) {
            double loss = epoch(trainer, x, y, batch, rng);
            withoutImprovement = loss > best - TOLERANCE ? withoutImprovement + 1 : 0;
            best = Math.min(best, loss);
            if (withoutImprovement > EPOCHS_WITHOUT_CHANGE) {
              break;
            }
          }
          try (NDManager test = manager.newSubManager()) {
            float[] logits =
                trainer
                    .evaluate(new NDList(test.create(testX, new Shape(testRows, dim))))
                    .singletonOrThrow()
                    .toFloatArray();
            int correct = 0;
            for (int i = 0; i < testRows; i++) {
              if ((logits[i] > 0) == (testY[i] > 0.5f)) {
                correct++;
              }
            }
            return (double) correct / testRows;
          }
        }
      }
    }

    /** One pass over the shuffled training rows; returns the mean loss per row, as sklearn. */
    private double epoch(Trainer trainer, NDArray x, NDArray y, int batch, SplittableRandom rng) {
      double lossSum = 0;
      try (NDManager epoch = trainer.getManager().newSubManager()) {
        long[] order = new long[trainRows];
        int[] permutation = permutation(trainRows, rng);
        for (int i = 0; i < trainRows; i++) {
          order[i] = permutation[i];
        }
        NDIndex shuffle = new NDIndex("{}", epoch.create(order));
        NDArray xs = x.get(epoch, shuffle);
        NDArray ys = y.get(epoch, shuffle);
        for (int start = 0; start < trainRows; start += batch) {
          int end = Math.min(trainRows, start + batch);
          try (NDManager step = epoch.newSubManager()) {
            NDIndex rows = new NDIndex("{}:{}", start, end);
            NDArray xb = xs.get(step, rows);
            NDArray yb = ys.get(step, rows);
            synchronized (Djl.AUTOGRAD) {
              try (GradientCollector collector = trainer.newGradientCollector()) {
                NDArray logits = trainer.forward(new NDList(xb)).singletonOrThrow();
                NDArray loss = trainer.getLoss().evaluate(new NDList(yb), new NDList(logits));
                collector.backward(loss);
                lossSum += loss.getFloat() * (end - start);
              }
              trainer.step();
            }
          }
        }
      }
      return lossSum / trainRows;
    }

    /** sklearn's init for ReLU networks: U(±√(6 / (fan_in + fan_out))) for weights and biases. */
    private static Linear glorot(int units, int fanIn) {
      Linear layer = Linear.builder().setUnits(units).build();
      UniformInitializer init = new UniformInitializer((float) Math.sqrt(6.0 / (fanIn + units)));
      layer.setInitializer(init, Parameter.Type.WEIGHT);
      layer.setInitializer(init, Parameter.Type.BIAS);
      return layer;
    }
  }

  /** Mean binary cross-entropy on logits: softplus(z) − y·z, stable for large |z|. */
  private static final class BinaryLogLoss extends Loss {
    BinaryLogLoss() {
      super("log_loss");
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
      NDArray logits = predictions.singletonOrThrow();
      return Activation.softPlus(logits).sub(logits.mul(labels.singletonOrThrow())).mean();
    }
  }
}
