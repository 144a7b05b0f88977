package org.streamsbi.trainer;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/** What every model trained here shares about the DJL PyTorch engine. */
final class Djl {
  /**
   * The engine allows one open GradientCollector per JVM: every forward/backward/update holds this
   * lock, so trainings in several threads (and C2ST classifiers) interleave their steps instead of
   * failing.
   */
  static final Object AUTOGRAD = new Object();

  private Djl() {}

  /**
   * Whether autograd records the operations of this thread, as in a GradientCollector. Asked of
   * PyTorch's grad mode because {@code NDArray.hasGradient()} reports false for results computed
   * from arrays that require gradients.
   */
  static boolean recordsGradients() {
    return JniUtils.isGradMode();
  }

  static Device device() {
    return Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
  }
}
