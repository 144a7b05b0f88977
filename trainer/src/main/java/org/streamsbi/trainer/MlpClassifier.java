package org.streamsbi.trainer;

import java.util.Arrays;

/**
 * scikit-learn's {@code MLPClassifier} (1.2) as sbibm's C2ST configures it, step for step: two
 * ReLU hidden layers of 10·dim units and a logistic output, trained by {@code fit} with Adam on
 * float32 data, as scikit-learn trains on sbibm's float32 arrays.
 *
 * <p>Every layer's weights and biases start at U(±√(6 / (fan_in + fan_out))), drawn layer by
 * layer (weights row by row, then biases) from {@code RandomState(seed)}, which then shuffles the
 * rows before each epoch. Each minibatch of min(200, n) rows contributes its mean log-loss (the
 * probability clipped to [ε, 1 − ε] of float32) plus α/2·ΣW²/batch (α = 1e-4, weights only); the
 * gradients are (Aᵀδ + α·W)/batch for weights and the mean δ for biases. Adam at 1e-3 (β 0.9 and
 * 0.999, ε 1e-8) steps by −lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ)·m/(√v + ε). The epoch's loss is the batch
 * losses weighted by batch size over n; an epoch whose loss exceeds the best so far minus 1e-4
 * counts as no improvement, any other resets the count, and training stops once the count
 * exceeds 10, or after 10,000 epochs. A row is predicted positive when its probability exceeds
 * 0.5.
 *
 * <p>The products skip ReLU's zeros (exact) and accumulate with fused multiply-adds, but not in
 * every product in BLAS's order, so a training of a few hundred epochs ends where scikit-learn's
 * does to float32 rounding, while longer ones drift apart and agree in distribution only.
 *
 * <p>Matrices are arrays of rows, and every product adds multiples of rows to a row, all indexed
 * from 0: HotSpot's C2 vectorises such a loop only where loads and stores share one index, since
 * it cannot rule out two offsets into one array overlapping (rows at offsets in flat arrays ran
 * scalar). For the same reason the loops that mask and update avoid branches and passes of their
 * own; none of this changes a single rounding.
 */
final class MlpClassifier {
  private static final int MAX_EPOCHS = 10_000;
  private static final double TOLERANCE = 1e-4;
  private static final int EPOCHS_WITHOUT_IMPROVEMENT = 10;
  private static final int MAX_BATCH = 200;
  private static final float ALPHA = 1e-4f;
  private static final double LEARNING_RATE = 1e-3;
  private static final double BETA_1 = 0.9;
  private static final double BETA_2 = 0.999;
  private static final float EPSILON = 1e-8f;
  /** numpy's {@code finfo(float32).eps}, where scikit-learn clips probabilities for the loss. */
  private static final float CLIP = Math.ulp(1f);

  private final int[] units;
  /** weights[l][k] maps input unit k of layer l to its units[l + 1] outputs, as sklearn's coefs_. */
  private final float[][][] weights;
  private final float[][] biases;
  private final int batchCapacity;
  /** Epochs trained and the last one's loss: sklearn's n_iter_ and loss_. */
  private int epochs;
  private double loss;
  /**
   * activations[l][r] is row r of layer l − 1's output; activations[0] holds the batch's input
   * rows themselves (read only).
   */
  private final float[][][] activations;
  private final float[][][] deltas;
  /** The nonzero factors of one product and the rows they scale, so products skip ReLU's zeros. */
  private final float[] scales;
  private final int[] indices;

  private MlpClassifier(int dim, int batchCapacity, NumpyRandomState random) {
    int hidden = 10 * dim;
    units = new int[] {dim, hidden, hidden, 1};
    int layers = units.length - 1;
    weights = new float[layers][][];
    biases = new float[layers][];
    for (int l = 0; l < layers; l++) {
      int in = units[l];
      int out = units[l + 1];
      double bound = Math.sqrt(6.0 / (in + out));
      weights[l] = new float[in][];
      for (int k = 0; k < in; k++) {
        weights[l][k] = uniform(out, bound, random);
      }
      biases[l] = uniform(out, bound, random);
    }
    this.batchCapacity = batchCapacity;
    activations = new float[units.length][][];
    deltas = new float[units.length][][];
    activations[0] = new float[batchCapacity][];
    for (int l = 1; l < units.length; l++) {
      activations[l] = new float[batchCapacity][units[l]];
      deltas[l] = new float[batchCapacity][units[l]];
    }
    scales = new float[Math.max(hidden, batchCapacity)];
    indices = new int[scales.length];
  }

  private static float[] uniform(int size, double bound, NumpyRandomState random) {
    float[] values = new float[size];
    for (int i = 0; i < size; i++) {
      values[i] = (float) random.uniform(-bound, bound);
    }
    return values;
  }

  /**
   * Trains on rows of {@code x} (row-major, {@code dim} wide) labelled {@code y}.
   *
   * @param seed scikit-learn's {@code random_state}: the initial weights and the epoch shuffles
   */
  static MlpClassifier fit(float[] x, boolean[] y, int dim, long seed) {
    int rows = y.length;
    NumpyRandomState random = new NumpyRandomState(seed);
    int batch = Math.min(MAX_BATCH, rows);
    MlpClassifier net = new MlpClassifier(dim, batch, random);
    new Adam(net).train(rows(x, dim), y, batch, random);
    return net;
  }

  private static float[][] rows(float[] x, int dim) {
    float[][] rows = new float[x.length / dim][];
    for (int r = 0; r < rows.length; r++) {
      rows[r] = Arrays.copyOfRange(x, r * dim, (r + 1) * dim);
    }
    return rows;
  }

  int epochs() {
    return epochs;
  }

  double loss() {
    return loss;
  }

  /** How many rows of {@code x} the classifier labels as {@code y} does. */
  int correct(float[] x, boolean[] y) {
    float[][] input = rows(x, units[0]);
    int count = 0;
    for (int start = 0; start < y.length; start += batchCapacity) {
      int rows = Math.min(batchCapacity, y.length - start);
      System.arraycopy(input, start, activations[0], 0, rows);
      forward(rows);
      float[][] logits = activations[units.length - 1];
      for (int r = 0; r < rows; r++) {
        if ((logistic(logits[r][0]) > 0.5f) == y[start + r]) {
          count++;
        }
      }
    }
    return count;
  }

  /** scipy's {@code expit} in float32. */
  private static float logistic(float z) {
    return 1f / (1f + (float) Math.exp(-z));
  }

  /** Fills activations[1..] for the first {@code rows} rows of activations[0]; the last is z. */
  private void forward(int rows) {
    int last = units.length - 2;
    for (int l = 0; l <= last; l++) {
      int out = units[l + 1];
      float[][] w = weights[l];
      float[] b = biases[l];
      for (int r = 0; r < rows; r++) {
        float[] input = activations[l][r];
        float[] output = activations[l + 1][r];
        if (out == 1) {
          output[0] = dot(input, w);
        } else {
          Arrays.fill(output, 0f);
          accumulate(output, out, w, gather(input));
        }
        for (int j = 0; j < out; j++) {
          float z = output[j] + b[j];
          output[j] = l < last ? Math.max(z, 0f) : z;
        }
      }
    }
  }

  /** Σ values[i]·column[i][0]: the output layer's single column, summed in order. */
  private static float dot(float[] values, float[][] column) {
    float sum = 0f;
    for (int i = 0; i < values.length; i++) {
      sum += values[i] * column[i][0];
    }
    return sum;
  }

  /** Collects the nonzero values[i] into {@link #scales}, with i into {@link #indices}; returns how many. */
  private int gather(float[] values) {
    int count = 0;
    for (int i = 0; i < values.length; i++) {
      float value = values[i];
      scales[count] = value;
      indices[count] = i;
      count += value != 0f ? 1 : 0;
    }
    return count;
  }

  /** As {@link #gather(float[])} for column {@code k} of the first {@code length} rows. */
  private int gather(float[][] rows, int k, int length) {
    int count = 0;
    for (int i = 0; i < length; i++) {
      float value = rows[i][k];
      scales[count] = value;
      indices[count] = i;
      count += value != 0f ? 1 : 0;
    }
    return count;
  }

  /**
   * target[0, length) += Σ scales[i]·source[indices[i]][0, length) over the first {@code count}
   * gathered terms, one fused multiply-add per term in order, as BLAS's sgemm kernels accumulate:
   * other orders round differently and long trainings drift further from sklearn's.
   */
  private void accumulate(float[] target, int length, float[][] source, int count) {
    int i = 0;
    // Four terms per pass load and store the target once, not four times; the order is the same.
    for (; i + 4 <= count; i += 4) {
      float a0 = scales[i];
      float a1 = scales[i + 1];
      float a2 = scales[i + 2];
      float a3 = scales[i + 3];
      float[] row0 = source[indices[i]];
      float[] row1 = source[indices[i + 1]];
      float[] row2 = source[indices[i + 2]];
      float[] row3 = source[indices[i + 3]];
      for (int j = 0; j < length; j++) {
        target[j] =
            Math.fma(a3, row3[j], Math.fma(a2, row2[j], Math.fma(a1, row1[j], Math.fma(a0, row0[j], target[j]))));
      }
    }
    for (; i < count; i++) {
      float a = scales[i];
      float[] row = source[indices[i]];
      for (int j = 0; j < length; j++) {
        target[j] = Math.fma(a, row[j], target[j]);
      }
    }
  }

  /** The optimiser's state and the gradients' buffers of one fit. */
  private static final class Adam {
    private final MlpClassifier net;
    private final float[][][] weightGradients;
    private final float[][] biasGradients;
    private final float[][][] weightMoments;
    private final float[][][] weightSquares;
    private final float[][] biasMoments;
    private final float[][] biasSquares;
    /** Each layer's weights transposed, for the backward products. */
    private final float[][][] transposed;
    private int step;

    Adam(MlpClassifier net) {
      this.net = net;
      int layers = net.weights.length;
      weightGradients = new float[layers][][];
      biasGradients = new float[layers][];
      weightMoments = new float[layers][][];
      weightSquares = new float[layers][][];
      biasMoments = new float[layers][];
      biasSquares = new float[layers][];
      transposed = new float[layers][][];
      for (int l = 0; l < layers; l++) {
        int in = net.units[l];
        int out = net.units[l + 1];
        weightGradients[l] = new float[in][out];
        weightMoments[l] = new float[in][out];
        weightSquares[l] = new float[in][out];
        transposed[l] = new float[out][in];
        biasGradients[l] = new float[out];
        biasMoments[l] = new float[out];
        biasSquares[l] = new float[out];
      }
    }

    void train(float[][] x, boolean[] y, int batch, NumpyRandomState random) {
      int rows = y.length;
      int[] sample = new int[rows];
      int[] shuffle = new int[rows];
      int[] previous = new int[rows];
      for (int i = 0; i < rows; i++) {
        sample[i] = i;
      }
      boolean[] labels = new boolean[batch];
      double best = Double.POSITIVE_INFINITY;
      int withoutImprovement = 0;
      for (int epoch = 0; epoch < MAX_EPOCHS; epoch++) {
        // sklearn's utils.shuffle: a permuted arange indexes the previous order.
        for (int i = 0; i < rows; i++) {
          shuffle[i] = i;
        }
        random.shuffle(shuffle);
        System.arraycopy(sample, 0, previous, 0, rows);
        for (int i = 0; i < rows; i++) {
          sample[i] = previous[shuffle[i]];
        }
        double accumulated = 0;
        for (int start = 0; start < rows; start += batch) {
          int size = Math.min(batch, rows - start);
          for (int r = 0; r < size; r++) {
            net.activations[0][r] = x[sample[start + r]];
            labels[r] = y[sample[start + r]];
          }
          accumulated += backprop(size, labels) * size;
          update(size);
        }
        double loss = accumulated / rows;
        net.epochs = epoch + 1;
        net.loss = loss;
        withoutImprovement = loss > best - TOLERANCE ? withoutImprovement + 1 : 0;
        best = Math.min(best, loss);
        if (withoutImprovement > EPOCHS_WITHOUT_IMPROVEMENT) {
          break;
        }
      }
    }

    /** Fills the gradients for one batch; returns its loss with the L2 term. */
    private double backprop(int rows, boolean[] labels) {
      net.forward(rows);
      int layers = net.weights.length;
      float[][] logits = net.activations[layers];
      float[][] output = net.deltas[layers];
      double logLoss = 0;
      for (int r = 0; r < rows; r++) {
        float p = logistic(logits[r][0]);
        float clipped = Math.min(Math.max(p, CLIP), 1f - CLIP);
        logLoss -= Math.log(labels[r] ? clipped : 1f - clipped);
        output[r][0] = p - (labels[r] ? 1f : 0f);
      }
      double squares = 0;
      for (float[][] w : net.weights) {
        for (float[] row : w) {
          for (float v : row) {
            squares += v * v;
          }
        }
      }
      double loss = logLoss / rows + 0.5 * ALPHA * squares / rows;
      for (int l = layers - 1; l >= 0; l--) {
        gradients(l, rows);
        if (l > 0) {
          propagate(l, rows);
        }
      }
      return loss;
    }

    /**
     * Layer l's Aᵀδ and Σδ from deltas[l + 1] and activations[l]; {@link #update} adds the L2 term
     * and divides by the batch on its way.
     */
    private void gradients(int l, int rows) {
      int in = net.units[l];
      int out = net.units[l + 1];
      float[][] input = net.activations[l];
      float[][] delta = net.deltas[l + 1];
      float[][] gw = weightGradients[l];
      float[] gb = biasGradients[l];
      Arrays.fill(gb, 0f);
      for (int k = 0; k < in; k++) {
        if (out == 1) {
          float sum = 0f;
          for (int r = 0; r < rows; r++) {
            sum += input[r][k] * delta[r][0];
          }
          gw[k][0] = sum;
        } else {
          Arrays.fill(gw[k], 0f);
          net.accumulate(gw[k], out, delta, net.gather(input, k, rows));
        }
      }
      for (int r = 0; r < rows; r++) {
        float[] d = delta[r];
        for (int j = 0; j < out; j++) {
          gb[j] += d[j];
        }
      }
    }

    /** deltas[l] = deltas[l + 1]·Wₗᵀ, zero where layer l − 1's ReLU output is zero. */
    private void propagate(int l, int rows) {
      int in = net.units[l];
      int out = net.units[l + 1];
      float[][] w = net.weights[l];
      float[][] wt = transposed[l];
      for (int k = 0; k < in; k++) {
        float[] wk = w[k];
        for (int j = 0; j < out; j++) {
          wt[j][k] = wk[j];
        }
      }
      float[][] next = net.deltas[l + 1];
      float[][] delta = net.deltas[l];
      float[][] activation = net.activations[l];
      for (int r = 0; r < rows; r++) {
        float[] d = delta[r];
        float[] a = activation[r];
        Arrays.fill(d, 0f);
        net.accumulate(d, in, wt, net.gather(next[r]));
        for (int k = 0; k < in; k++) {
          // ReLU's derivative as a factor without a branch, which C2 vectorises: a ≥ 0, and its
          // least positive value 2⁻¹⁴⁹ scales to 1.
          d[k] *= Math.min(a[k] * 0x1p127f * 0x1p22f, 1f);
        }
      }
    }

    /** One Adam step on every weight and bias, from the gradients of a batch of {@code rows}. */
    private void update(int rows) {
      step++;
      float rate =
          (float)
              -(LEARNING_RATE
                  * Math.sqrt(1 - Math.pow(BETA_2, step))
                  / (1 - Math.pow(BETA_1, step)));
      float batch = rows;
      for (int l = 0; l < net.weights.length; l++) {
        for (int k = 0; k < net.weights[l].length; k++) {
          adam(net.weights[l][k], weightGradients[l][k], ALPHA, batch, weightMoments[l][k], weightSquares[l][k], rate);
        }
        // Biases have no L2 term: 0·b adds nothing to the sum.
        adam(net.biases[l], biasGradients[l], 0f, batch, biasMoments[l], biasSquares[l], rate);
      }
    }

    /** Adam on p with the gradient (sum + alpha·p) / batch, sklearn's (Aᵀδ + α·W) / batch. */
    private static void adam(
        float[] p, float[] sum, float alpha, float batch, float[] m, float[] v, float rate) {
      float beta1 = (float) BETA_1;
      float beta2 = (float) BETA_2;
      float rest1 = (float) (1 - BETA_1);
      float rest2 = (float) (1 - BETA_2);
      for (int i = 0; i < p.length; i++) {
        float g = (sum[i] + alpha * p[i]) / batch;
        m[i] = beta1 * m[i] + rest1 * g;
        v[i] = beta2 * v[i] + rest2 * (g * g);
        p[i] += rate * m[i] / ((float) Math.sqrt(v[i]) + EPSILON);
      }
    }
  }
}
