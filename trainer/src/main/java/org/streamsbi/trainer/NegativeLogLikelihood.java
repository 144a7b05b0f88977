package org.streamsbi.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/** −mean log q over a batch; the predictions are the flow's per-row log-densities. */
final class NegativeLogLikelihood extends Loss {

  NegativeLogLikelihood() {
    super("nll");
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    return predictions.singletonOrThrow().mean().neg();
  }
}
