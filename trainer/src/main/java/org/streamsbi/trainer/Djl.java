package org.streamsbi.trainer;

import ai.djl.Device;
import ai.djl.engine.Engine;

/** What every model trained here shares about the DJL PyTorch engine. */
final class Djl {
  /**
   * The engine allows one open GradientCollector per JVM: every forward/backward/update holds this
   * lock, so trainings in several threads (and C2ST classifiers) interleave their steps instead of
   * failing.
   */
  static final Object AUTOGRAD = new Object();

  private Djl() {}

  static Device device() {
    return Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
  }
}
