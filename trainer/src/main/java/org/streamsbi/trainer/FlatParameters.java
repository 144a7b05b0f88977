package org.streamsbi.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * An estimator's parameters as one vector while it trains, so that clipping the gradient and the
 * Adam update are a handful of native operations on one array instead of a dozen on each
 * parameter: sbi's five-layer flows have 30, and at their sizes those calls cost about as much as
 * the forward pass. Each step's forward pass reads views of the vector and its backward pass
 * leaves one gradient. The parameters' own arrays go stale meanwhile; {@link #writeBack} brings
 * them up to date before anything else reads them.
 */
final class FlatParameters implements AutoCloseable {
  private final List<Parameter> parameters;
  private final Map<Parameter, Integer> index = new IdentityHashMap<>();
  private final long[] offsets;
  /** Where each parameter starts after the first, as {@link NDArray#split(long[])} takes them. */
  private final long[] splits;
  private final NDArray vector;

  /** The vector of {@code parameters}' current values, in {@code manager}. */
  FlatParameters(List<Parameter> parameters, NDManager manager) {
    this.parameters = List.copyOf(parameters);
    offsets = new long[parameters.size() + 1];
    for (int i = 0; i < parameters.size(); i++) {
      index.put(parameters.get(i), i);
      offsets[i + 1] = offsets[i] + parameters.get(i).getArray().size();
    }
    splits = Arrays.copyOfRange(offsets, 1, parameters.size());
    float[] values = new float[Math.toIntExact(offsets[parameters.size()])];
    for (int i = 0; i < parameters.size(); i++) {
      float[] part = parameters.get(i).getArray().toFloatArray();
      System.arraycopy(part, 0, values, (int) offsets[i], part.length);
    }
    vector = manager.create(values);
    vector.setRequiresGradient(true);
  }

  /** The vector, which the optimizer updates in place. */
  NDArray vector() {
    return vector;
  }

  /** Each parameter's length, in the order of the vector. */
  long[] sizes() {
    long[] sizes = new long[parameters.size()];
    for (int i = 0; i < sizes.length; i++) {
      sizes[i] = offsets[i + 1] - offsets[i];
    }
    return sizes;
  }

  /**
   * The parameters as differentiable views of the vector, for one forward pass; the views live in
   * {@code manager}.
   */
  Function<Parameter, NDArray> views(NDManager manager) {
    NDList parts = vector.split(splits);
    parts.attach(manager);
    NDArray[] views = new NDArray[parts.size()];
    for (int i = 0; i < views.length; i++) {
      Shape shape = parameters.get(i).getShape();
      views[i] = shape.dimension() == 1 ? parts.get(i) : parts.get(i).reshape(shape);
    }
    return parameter -> views[index.get(parameter)];
  }

  /** The gradient the last backward pass left, a handle in {@code manager} to the vector's own. */
  NDArray gradient(NDManager manager) {
    NDArray gradient = vector.getGradient();
    gradient.attach(manager);
    return gradient;
  }

  /** Copies the vector into the parameters' arrays. */
  void writeBack() {
    float[] values = vector.toFloatArray();
    for (int i = 0; i < parameters.size(); i++) {
      parameters
          .get(i)
          .getArray()
          .set(FloatBuffer.wrap(Arrays.copyOfRange(values, (int) offsets[i], (int) offsets[i + 1])));
    }
  }

  @Override
  public void close() {
    vector.close();
  }
}
