package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlatParametersTest {

  @Test
  void viewsComputeWhatTheParametersDoAndTheGradientAndWriteBackReachEveryParameter() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ConditionalEstimator flow =
          RandomFlows.randomize(
              ConditionalEstimator.of(FlowConfig.defaults(Estimator.NSF), 3, 2), manager, 5);
      List<Parameter> parameters = flow.getParameters().values();
      NDArray theta = manager.randomNormal(new Shape(64, 3));
      NDArray x = manager.randomNormal(new Shape(64, 2));
      float[] direct = flow.logProb(theta, x, Parameter::getArray).toFloatArray();
      try (NDManager run = manager.newSubManager();
          FlatParameters flat = new FlatParameters(parameters, run)) {
        long total = 0;
        for (Parameter p : parameters) {
          total += p.getArray().size();
        }
        assertEquals(total, flat.vector().size());
        NDArray gradient;
        synchronized (Djl.AUTOGRAD) {
          try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray logQ = flow.logProb(theta, x, flat.views(run));
            assertArrayEquals(direct, logQ.toFloatArray(), 1e-5f, "log q through the views");
            collector.backward(logQ.sum());
          }
          gradient = flat.gradient(run);
        }
        float[] g = gradient.toFloatArray();
        int first = (int) parameters.get(0).getArray().size();
        int last = g.length - (int) parameters.get(parameters.size() - 1).getArray().size();
        assertTrue(nonZero(g, 0, first), "the first parameter's gradient");
        assertTrue(nonZero(g, last, g.length), "the last parameter's gradient");

        float[] before = parameters.get(parameters.size() - 1).getArray().toFloatArray();
        flat.vector().muli(2);
        flat.writeBack();
        float[] after = parameters.get(parameters.size() - 1).getArray().toFloatArray();
        for (int i = 0; i < before.length; i++) {
          assertEquals(2 * before[i], after[i], 1e-6f, "written back, value " + i);
        }
      }
    }
  }

  private static boolean nonZero(float[] values, int from, int to) {
    for (int i = from; i < to; i++) {
      if (values[i] != 0) {
        return true;
      }
    }
    return false;
  }
}
