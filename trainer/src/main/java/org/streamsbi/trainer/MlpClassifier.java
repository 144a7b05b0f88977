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
  /** weights[l] maps units[l] to units[l + 1], row-major by input unit, as sklearn's coefs_. */
  private final float[][] weights;
  private final float[][] biases;
  private final int batchCapacity;
  /** Epochs trained and the last one's loss: sklearn's n_iter_ and loss_. */
  private int epochs;
  private double loss;
  /** activations[0] is the batch's input; activations[l] the output of layer l − 1. */
  private final float[][] activations;
  private final float[][] deltas;
  /** The nonzero factors of one product and where their rows start, so products skip ReLU's zeros. */
  private final float[] scales;
  private final int[] offsets;

  private MlpClassifier(int dim, int batchCapacity, NumpyRandomState random) {
    int hidden = 10 * dim;
    units = new int[] {dim, hidden, hidden, 1};
    int layers = units.length - 1;
    weights = new float[layers][];
    biases = new float[layers][];
    for (int l = 0; l < layers; l++) {
      int in = units[l];
      int out = units[l + 1];
      double bound = Math.sqrt(6.0 / (in + out));
      weights[l] = uniform(in * out, bound, random);
      biases[l] = uniform(out, bound, random);
    }
    this.batchCapacity = batchCapacity;
    activations = new float[units.length][];
    deltas = new float[units.length][];
    for (int l = 0; l < units.length; l++) {
      activations[l] = new float[batchCapacity * units[l]];
      deltas[l] = new float[batchCapacity * units[l]];
    }
    scales = new float[Math.max(hidden, batchCapacity)];
    offsets = new int[scales.length];
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
    new Adam(net).train(x, y, batch, random);
    return net;
  }

  int epochs() {
    return epochs;
  }

  double loss() {
    return loss;
  }

  /** How many rows of {@code x} the classifier labels as {@code y} does. */
  int correct(float[] x, boolean[] y) {
    int dim = units[0];
    int count = 0;
    for (int start = 0; start < y.length; start += batchCapacity) {
      int rows = Math.min(batchCapacity, y.length - start);
      System.arraycopy(x, start * dim, activations[0], 0, rows * dim);
      forward(rows);
      float[] logits = activations[units.length - 1];
      for (int r = 0; r < rows; r++) {
        if ((logistic(logits[r]) > 0.5f) == y[start + r]) {
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
      int in = units[l];
      int out = units[l + 1];
      float[] input = activations[l];
      float[] output = activations[l + 1];
      float[] w = weights[l];
      float[] b = biases[l];
      for (int r = 0; r < rows; r++) {
        int o = r * out;
        if (out == 1) {
          output[o] = dot(input, r * in, 1, w, in);
        } else {
          Arrays.fill(output, o, o + out, 0f);
          accumulate(output, o, out, w, gather(input, r * in, 1, in, out));
        }
        for (int j = 0; j < out; j++) {
          float z = output[o + j] + b[j];
          output[o + j] = l < last ? Math.max(z, 0f) : z;
        }
      }
    }
  }

  /**
   * Σ values[from + i·stride]·column[i] for i < length: the output layer's single column, kept out
   * of {@link #accumulate} so that the JIT sees only its long rows there and vectorises them.
   */
  private static float dot(float[] values, int from, int stride, float[] column, int length) {
    float sum = 0f;
    for (int i = 0; i < length; i++) {
      sum += values[from + i * stride] * column[i];
    }
    return sum;
  }

  /**
   * Collects the nonzero values[from + i·stride] for i < length into {@link #scales}, with i·step
   * into {@link #offsets}; returns how many.
   */
  private int gather(float[] values, int from, int stride, int length, int step) {
    int count = 0;
    for (int i = 0; i < length; i++) {
      float value = values[from + i * stride];
      scales[count] = value;
      offsets[count] = i * step;
      count += value != 0f ? 1 : 0;
    }
    return count;
  }

  /**
   * target[to, to + length) += Σ scales[i]·source[offsets[i], offsets[i] + length) over the first
   * {@code count} gathered terms, one fused multiply-add per term in order, as BLAS's sgemm kernels
   * accumulate: other orders round differently and long trainings drift further from sklearn's.
   */
  private void accumulate(float[] target, int to, int length, float[] source, int count) {
    for (int i = 0; i < count; i++) {
      float a = scales[i];
      int from = offsets[i];
      for (int j = 0; j < length; j++) {
        target[to + j] = Math.fma(a, source[from + j], target[to + j]);
      }
    }
  }


  /** The optimiser's state and the gradients' buffers of one fit. */
  private static final class Adam {
    private final MlpClassifier net;
    private final float[][] weightGradients;
    private final float[][] biasGradients;
    private final float[][] weightMoments;
    private final float[][] weightSquares;
    private final float[][] biasMoments;
    private final float[][] biasSquares;
    /** Each layer's weights transposed, for the backward products. */
    private final float[][] transposed;
    private int step;

    Adam(MlpClassifier net) {
      this.net = net;
      int layers = net.weights.length;
      weightGradients = new float[layers][];
      biasGradients = new float[layers][];
      weightMoments = new float[layers][];
      weightSquares = new float[layers][];
      biasMoments = new float[layers][];
      biasSquares = new float[layers][];
      transposed = new float[layers][];
      for (int l = 0; l < layers; l++) {
        int size = net.weights[l].length;
        int out = net.biases[l].length;
        weightGradients[l] = new float[size];
        weightMoments[l] = new float[size];
        weightSquares[l] = new float[size];
        transposed[l] = new float[size];
        biasGradients[l] = new float[out];
        biasMoments[l] = new float[out];
        biasSquares[l] = new float[out];
      }
    }

    void train(float[] x, boolean[] y, int batch, NumpyRandomState random) {
      int rows = y.length;
      int dim = net.units[0];
      int[] sample = new int[rows];
      int[] shuffle = new int[rows];
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
        int[] previous = sample.clone();
        for (int i = 0; i < rows; i++) {
          sample[i] = previous[shuffle[i]];
        }
        double accumulated = 0;
        for (int start = 0; start < rows; start += batch) {
          int size = Math.min(batch, rows - start);
          for (int r = 0; r < size; r++) {
            System.arraycopy(x, sample[start + r] * dim, net.activations[0], r * dim, dim);
            labels[r] = y[sample[start + r]];
          }
          accumulated += backprop(size, labels) * size;
          update();
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
      float[] logits = net.activations[layers];
      float[] output = net.deltas[layers];
      double logLoss = 0;
      for (int r = 0; r < rows; r++) {
        float p = logistic(logits[r]);
        float clipped = Math.min(Math.max(p, CLIP), 1f - CLIP);
        logLoss -= Math.log(labels[r] ? clipped : 1f - clipped);
        output[r] = p - (labels[r] ? 1f : 0f);
      }
      double squares = 0;
      for (float[] w : net.weights) {
        for (float v : w) {
          squares += v * v;
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

    /** Gradients of layer l's weights and biases from deltas[l + 1] and activations[l]. */
    private void gradients(int l, int rows) {
      int in = net.units[l];
      int out = net.units[l + 1];
      float[] input = net.activations[l];
      float[] delta = net.deltas[l + 1];
      float[] gw = weightGradients[l];
      float[] gb = biasGradients[l];
      Arrays.fill(gw, 0f);
      Arrays.fill(gb, 0f);
      for (int k = 0; k < in; k++) {
        if (out == 1) {
          gw[k] = dot(input, k, in, delta, rows);
        } else {
          net.accumulate(gw, k * out, out, delta, net.gather(input, k, in, rows, out));
        }
      }
      for (int r = 0; r < rows; r++) {
        for (int j = 0; j < out; j++) {
          gb[j] += delta[r * out + j];
        }
      }
      float[] w = net.weights[l];
      float batch = rows;
      for (int i = 0; i < gw.length; i++) {
        gw[i] = (gw[i] + ALPHA * w[i]) / batch;
      }
      for (int j = 0; j < out; j++) {
        gb[j] /= batch;
      }
    }

    /** deltas[l] = deltas[l + 1]·Wₗᵀ, zero where layer l − 1's ReLU output is zero. */
    private void propagate(int l, int rows) {
      int in = net.units[l];
      int out = net.units[l + 1];
      float[] w = net.weights[l];
      float[] wt = transposed[l];
      for (int k = 0; k < in; k++) {
        for (int j = 0; j < out; j++) {
          wt[j * in + k] = w[k * out + j];
        }
      }
      float[] next = net.deltas[l + 1];
      float[] delta = net.deltas[l];
      float[] activation = net.activations[l];
      for (int r = 0; r < rows; r++) {
        int o = r * in;
        Arrays.fill(delta, o, o + in, 0f);
        net.accumulate(delta, o, in, wt, net.gather(next, r * out, 1, out, in));
        for (int k = 0; k < in; k++) {
          if (activation[o + k] == 0f) {
            delta[o + k] = 0f;
          }
        }
      }
    }

    /** One Adam step on every weight and bias. */
    private void update() {
      step++;
      float rate =
          (float)
              -(LEARNING_RATE
                  * Math.sqrt(1 - Math.pow(BETA_2, step))
                  / (1 - Math.pow(BETA_1, step)));
      for (int l = 0; l < net.weights.length; l++) {
        adam(net.weights[l], weightGradients[l], weightMoments[l], weightSquares[l], rate);
        adam(net.biases[l], biasGradients[l], biasMoments[l], biasSquares[l], rate);
      }
    }

    private static void adam(float[] p, float[] g, float[] m, float[] v, float rate) {
      float beta1 = (float) BETA_1;
      float beta2 = (float) BETA_2;
      float rest1 = (float) (1 - BETA_1);
      float rest2 = (float) (1 - BETA_2);
      for (int i = 0; i < p.length; i++) {
        m[i] = beta1 * m[i] + rest1 * g[i];
        v[i] = beta2 * v[i] + rest2 * (g[i] * g[i]);
        p[i] += rate * m[i] / ((float) Math.sqrt(v[i]) + EPSILON);
      }
    }
  }
}
