package org.streamsbi.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.tracker.Tracker;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * DJL's Adam update (the same fused native kernel, bias correction folded into the step size,
 * β₁ 0.9, β₂ 0.999, ε 1e-8, and AdamW's decoupled weight decay when one is given) of a
 * {@link FlatParameters} vector, with state that can be saved and restored: DJL's own Adam keeps
 * its moments and update counts private, so a resumed training would restart them from zero.
 *
 * <p>{@link #save} and {@link #restore} write the moments per parameter, in the flow's fixed
 * order, as they were written when each parameter had its own update.
 */
final class CheckpointableAdam implements AutoCloseable {
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPSILON = 1e-8f;

  private final Tracker learningRate;
  private final float weightDecay;
  private NDArray mean;
  private NDArray variance;
  private int updates;

  /** @param weightDecay AdamW's decoupled decay; 0 for plain Adam */
  CheckpointableAdam(Tracker learningRate, double weightDecay) {
    this.learningRate = learningRate;
    this.weightDecay = (float) weightDecay;
  }

  /** One Adam step of {@code weight} in place along {@code gradient}, both of the same shape. */
  void update(NDArray weight, NDArray gradient) {
    int t = ++updates;
    double coefficient1 = 1.0 - Math.pow(BETA1, t);
    double coefficient2 = 1.0 - Math.pow(BETA2, t);
    float rate = learningRate.getNewValue(t);
    float corrected = (float) (rate * Math.sqrt(coefficient2) / coefficient1);
    if (!Float.isFinite(corrected)) {
      throw new IllegalStateException("the learning rate at update " + t + " is " + rate);
    }
    if (mean == null) {
      mean = weight.zerosLike();
      variance = weight.zerosLike();
    }
    weight
        .getNDArrayInternal()
        .adamUpdate(
            new NDList(weight, gradient, mean, variance),
            new NDList(weight),
            rate,
            corrected,
            weightDecay,
            1,
            -1,
            BETA1,
            BETA2,
            EPSILON,
            true,
            // Plain Adam adds 0 × weight to the gradient; AdamW with 0 would spend three more ops.
            weightDecay > 0);
  }

  /** Updates made so far. */
  int updates() {
    return updates;
  }

  /**
   * Writes, per parameter of the given lengths, the update count and both moments.
   *
   * @param sizes the parameters' lengths, in the order of the vector
   */
  void save(long[] sizes, DataOutputStream out) throws IOException {
    float[] means = mean == null ? null : mean.toFloatArray();
    float[] variances = mean == null ? null : variance.toFloatArray();
    out.writeInt(sizes.length);
    int offset = 0;
    for (long size : sizes) {
      out.writeInt(updates);
      out.writeBoolean(means != null);
      if (means != null) {
        writeFloats(means, offset, (int) size, out);
        writeFloats(variances, offset, (int) size, out);
      }
      offset += (int) size;
    }
  }

  /**
   * Replaces the state by one {@link #save} wrote for parameters of the same lengths; the moments
   * are made like {@code weight}, the vector they will update.
   */
  void restore(long[] sizes, NDArray weight, DataInputStream in) throws IOException {
    int count = in.readInt();
    if (count != sizes.length) {
      throw new IOException(
          "the optimizer state holds " + count + " parameters, the flow " + sizes.length);
    }
    float[] means = new float[Math.toIntExact(weight.size())];
    float[] variances = new float[means.length];
    boolean moments = false;
    int offset = 0;
    for (long size : sizes) {
      updates = in.readInt();
      if (in.readBoolean()) {
        moments = true;
        readFloats(means, offset, (int) size, in);
        readFloats(variances, offset, (int) size, in);
      }
      offset += (int) size;
    }
    close();
    if (moments) {
      mean = weight.getManager().create(means, weight.getShape());
      variance = weight.getManager().create(variances, weight.getShape());
    }
  }

  private static void writeFloats(float[] values, int offset, int length, DataOutputStream out)
      throws IOException {
    out.writeInt(length);
    for (int i = offset; i < offset + length; i++) {
      out.writeFloat(values[i]);
    }
  }

  private static void readFloats(float[] into, int offset, int length, DataInputStream in)
      throws IOException {
    int saved = in.readInt();
    if (saved != length) {
      throw new IOException(
          "an optimizer moment has " + saved + " values, its parameter " + length);
    }
    for (int i = offset; i < offset + length; i++) {
      into[i] = in.readFloat();
    }
  }

  /** Frees the moments. */
  @Override
  public void close() {
    if (mean != null) {
      mean.close();
      variance.close();
      mean = null;
      variance = null;
    }
  }
}
