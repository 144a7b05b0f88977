package org.streamsbi.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * DJL's Adam update (the same fused native kernel, bias correction folded into the step size,
 * β₁ 0.9, β₂ 0.999, ε 1e-8, and AdamW's decoupled weight decay when one is given) with state
 * that can be saved and restored: DJL's own Adam keeps its moments and update counts private, so
 * a resumed training would restart them from zero.
 *
 * <p>State is keyed by parameter id, which is new in every model; {@link #save} and
 * {@link #restore} therefore go through the flow's parameters in their fixed order.
 */
final class CheckpointableAdam extends Optimizer {
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPSILON = 1e-8f;

  private final Tracker learningRate;
  private final boolean decoupled;
  private final Map<String, NDArray> means = new HashMap<>();
  private final Map<String, NDArray> variances = new HashMap<>();
  private final Map<String, Integer> updates = new HashMap<>();

  /** @param weightDecay AdamW's decoupled decay; 0 for plain Adam */
  CheckpointableAdam(Tracker learningRate, double weightDecay) {
    super(new Builder().optWeightDecays((float) weightDecay));
    this.decoupled = weightDecay > 0;
    this.learningRate = learningRate;
  }

  @Override
  public void update(String parameterId, NDArray weight, NDArray grad) {
    int t = updates.merge(parameterId, 1, Integer::sum);
    double coefficient1 = 1.0 - Math.pow(BETA1, t);
    double coefficient2 = 1.0 - Math.pow(BETA2, t);
    float rate = learningRate.getNewValue(parameterId, t);
    float corrected = (float) (rate * Math.sqrt(coefficient2) / coefficient1);
    if (!Float.isFinite(corrected)) {
      throw new IllegalStateException("the learning rate at update " + t + " is " + rate);
    }
    NDArray mean = means.computeIfAbsent(parameterId, id -> weight.zerosLike());
    NDArray variance = variances.computeIfAbsent(parameterId, id -> weight.zerosLike());
    weight
        .getNDArrayInternal()
        .adamUpdate(
            new NDList(weight, grad, mean, variance),
            new NDList(weight),
            rate,
            corrected,
            getWeightDecay(),
            rescaleGrad,
            clipGrad,
            BETA1,
            BETA2,
            EPSILON,
            true,
            // Plain Adam adds 0 × weight to the gradient; AdamW with 0 would spend three more ops.
            decoupled);
  }

  /** Updates made so far: the step count of the first parameter. */
  int updates(List<Parameter> parameters) {
    return parameters.isEmpty() ? 0 : updates.getOrDefault(parameters.get(0).getId(), 0);
  }

  /** Writes the update count and both moments of each parameter, in the given order. */
  void save(List<Parameter> parameters, DataOutputStream out) throws IOException {
    out.writeInt(parameters.size());
    for (Parameter parameter : parameters) {
      String id = parameter.getId();
      out.writeInt(updates.getOrDefault(id, 0));
      NDArray mean = means.get(id);
      out.writeBoolean(mean != null);
      if (mean != null) {
        writeFloats(mean.toFloatArray(), out);
        writeFloats(variances.get(id).toFloatArray(), out);
      }
    }
  }

  /** Replaces the state by one {@link #save} wrote for parameters of the same shapes. */
  void restore(List<Parameter> parameters, DataInputStream in) throws IOException {
    int count = in.readInt();
    if (count != parameters.size()) {
      throw new IOException(
          "the optimizer state holds " + count + " parameters, the flow " + parameters.size());
    }
    for (Parameter parameter : parameters) {
      String id = parameter.getId();
      NDArray weight = parameter.getArray();
      updates.put(id, in.readInt());
      if (in.readBoolean()) {
        means.put(id, readLike(weight, in));
        variances.put(id, readLike(weight, in));
      }
    }
  }

  private static void writeFloats(float[] values, DataOutputStream out) throws IOException {
    out.writeInt(values.length);
    for (float v : values) {
      out.writeFloat(v);
    }
  }

  private static NDArray readLike(NDArray weight, DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length != weight.size()) {
      throw new IOException(
          "an optimizer moment has " + length + " values, its parameter " + weight.size());
    }
    float[] values = new float[length];
    for (int i = 0; i < length; i++) {
      values[i] = in.readFloat();
    }
    return weight.getManager().create(values, weight.getShape());
  }

  private static final class Builder extends OptimizerBuilder<Builder> {
    @Override
    protected Builder self() {
      return this;
    }
  }
}
