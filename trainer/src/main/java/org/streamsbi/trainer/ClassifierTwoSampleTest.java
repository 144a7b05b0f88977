package org.streamsbi.trainer;

import java.util.stream.IntStream;

/**
 * The classifier two-sample test (C2ST) exactly as sbibm's {@code c2st} computes it: the mean
 * held-out accuracy of an MLP telling two sample sets apart. 0.5 means indistinguishable, 1.0
 * disjoint.
 *
 * <p>Both sets are z-scored in float32 with the reference's mean and unbiased sd. The reference's rows, labelled 0, and the sample's, labelled 1,
 * are split by scikit-learn's {@code KFold(5, shuffle=True, random_state=seed)}; on each split an
 * {@link MlpClassifier} (sklearn's {@code MLPClassifier} with sbibm's settings and {@code
 * random_state=seed}) trains on the other four folds, kept in their original order, and is scored
 * by its accuracy on the held-out fold; the result is the mean of the five accuracies. The same
 * seed draws the same folds, initial weights and batch orders as scikit-learn; only the float32
 * sums run in another order, so results agree with sbibm's within its own seed-to-seed spread.
 */
public final class ClassifierTwoSampleTest {
  private static final int FOLDS = 5;

  private ClassifierTwoSampleTest() {}

  /**
   * Mean 5-fold cross-validated accuracy of a classifier between the two sets.
   *
   * @param reference rows of the reference sample; their mean and sd z-score both sets
   * @param samples rows of the sample under test, of the same width
   * @param seed sbibm's {@code seed} (scikit-learn's {@code random_state}) for seeds in [0, 2³²);
   *     other seeds use their low 32 bits
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
    float[] x = zScored(reference, samples, dim);
    boolean[] y = new boolean[n];
    for (int r = reference.length; r < n; r++) {
      y[r] = true;
    }
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    new NumpyRandomState(seed).shuffle(order);
    int[] bounds = new int[FOLDS + 1];
    for (int fold = 0; fold < FOLDS; fold++) {
      // sklearn's KFold: the first n % k folds hold one row more.
      bounds[fold + 1] = bounds[fold] + n / FOLDS + (fold < n % FOLDS ? 1 : 0);
    }
    // The folds train independently, each from its own RandomState(seed): in parallel, summed in
    // order, the result does not depend on the threads.
    double[] accuracies = new double[FOLDS];
    IntStream.range(0, FOLDS)
        .parallel()
        .forEach(f -> accuracies[f] = foldAccuracy(x, y, dim, order, bounds[f], bounds[f + 1], seed));
    double sum = 0;
    for (double accuracy : accuracies) {
      sum += accuracy;
    }
    return sum / FOLDS;
  }

  private static float[] zScored(float[][] reference, float[][] samples, int dim) {
    double[] mean = new double[dim];
    double[] squares = new double[dim];
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
        squares[c] += (row[c] - mean[c]) * (row[c] - mean[c]);
      }
    }
    float[] center = new float[dim];
    float[] scale = new float[dim];
    for (int c = 0; c < dim; c++) {
      center[c] = (float) mean[c];
      scale[c] = (float) Math.sqrt(squares[c] / (reference.length - 1));
      if (!(scale[c] > 0) || Float.isInfinite(scale[c])) {
        throw new IllegalArgumentException(
            "C2ST z-scores with the reference's sd, which is " + scale[c] + " in column " + c
                + " (" + reference.length + " reference rows)");
      }
    }
    int n = reference.length + samples.length;
    float[] x = new float[n * dim];
    for (int r = 0; r < n; r++) {
      float[] row = r < reference.length ? reference[r] : samples[r - reference.length];
      if (row.length != dim) {
        throw new IllegalArgumentException(
            "row " + r + " has " + row.length + " values, expected " + dim);
      }
      for (int c = 0; c < dim; c++) {
        if (!Float.isFinite(row[c])) {
          throw new IllegalArgumentException("C2ST row " + r + " holds " + row[c]);
        }
        x[r * dim + c] = (row[c] - center[c]) / scale[c];
      }
    }
    return x;
  }

  /** Accuracy on rows order[from, to) of a classifier trained on all others in row order. */
  private static double foldAccuracy(
      float[] x, boolean[] y, int dim, int[] order, int from, int to, long seed) {
    int n = y.length;
    boolean[] held = new boolean[n];
    for (int i = from; i < to; i++) {
      held[order[i]] = true;
    }
    int testRows = to - from;
    float[] trainX = new float[(n - testRows) * dim];
    boolean[] trainY = new boolean[n - testRows];
    float[] testX = new float[testRows * dim];
    boolean[] testY = new boolean[testRows];
    int train = 0;
    for (int r = 0; r < n; r++) {
      if (!held[r]) {
        System.arraycopy(x, r * dim, trainX, train * dim, dim);
        trainY[train++] = y[r];
      }
    }
    for (int i = from; i < to; i++) {
      System.arraycopy(x, order[i] * dim, testX, (i - from) * dim, dim);
      testY[i - from] = y[order[i]];
    }
    MlpClassifier classifier = MlpClassifier.fit(trainX, trainY, dim, seed);
    return (double) classifier.correct(testX, testY) / testRows;
  }
}
