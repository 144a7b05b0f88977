package org.streamsbi.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * sbi's NeuralPosteriorEnsemble: estimators of one configuration, each with its own embedding,
 * trained side by side on the same minibatches from different initial weights, whose density is
 * their equal-weight mixture. Each member minimises its own −log q (the training loss is their
 * mean), so the members stay independent fits whose errors the mixture averages out; validation,
 * early stopping and the posterior use the mixture. The training loss a run reports is therefore
 * the members' mean −log q, and its validation loss the mixture's, never higher on the same rows.
 */
final class Ensemble extends ConditionalEstimator {
  private final List<ConditionalEstimator> members = new ArrayList<>();

  Ensemble(FlowConfig config, int thetaDimension, int contextDimension) {
    super(config.withEmbedding(Embedding.none()), thetaDimension, contextDimension);
    FlowConfig member = config.withEnsemble(1);
    for (int k = 0; k < config.ensemble(); k++) {
      members.add(
          addChildBlock("member" + k, ConditionalEstimator.of(member, thetaDimension, contextDimension)));
    }
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    for (ConditionalEstimator member : members) {
      member.initialize(manager, dataType, inputShapes);
    }
  }

  /** log (1/K) Σ_k q_k(θ | x); the ensemble has no embedding of its own, so features are x. */
  @Override
  NDArray conditionalLogProb(NDArray theta, NDArray features, Function<Parameter, NDArray> values) {
    return logSumExp(eachMember(theta, features, values)).sub(Math.log(members.size()));
  }

  /** (1/K) Σ_k log q_k(θ | x): each member's gradient is its own −log q's. */
  @Override
  NDArray trainingLogProb(NDArray theta, NDArray context, Function<Parameter, NDArray> values) {
    return eachMember(theta, context, values).mean(new int[] {1});
  }

  /** rows × K: log q_k(θ | x) of every member. */
  private NDArray eachMember(NDArray theta, NDArray context, Function<Parameter, NDArray> values) {
    NDList logQ = new NDList(members.size());
    for (ConditionalEstimator member : members) {
      logQ.add(member.logProb(theta, context, values));
    }
    return NDArrays.stack(logQ, 1);
  }

  /** Each row from a member drawn uniformly, so that any subset of the rows is a mixture draw. */
  @Override
  NDArray conditionalSample(
      NDArray features, RandomGenerator rng, Function<Parameter, NDArray> values) {
    int rows = (int) features.getShape().get(0);
    int k = members.size();
    int[] member = new int[rows];
    int[] counts = new int[k];
    for (int r = 0; r < rows; r++) {
      member[r] = rng.nextInt(k);
      counts[member[r]]++;
    }
    NDManager manager = features.getManager();
    float[] out = new float[rows * thetaDimension];
    for (int m = 0; m < k; m++) {
      if (counts[m] == 0) {
        continue;
      }
      long[] own = new long[counts[m]];
      for (int r = 0, i = 0; r < rows; r++) {
        if (member[r] == m) {
          own[i++] = r;
        }
      }
      NDArray context = features.get(new NDIndex("{}", manager.create(own)));
      float[] drawn = members.get(m).sample(context, rng, values).toFloatArray();
      for (int i = 0; i < own.length; i++) {
        System.arraycopy(drawn, i * thetaDimension, out, (int) own[i] * thetaDimension, thetaDimension);
      }
    }
    return manager.create(out, new Shape(rows, thetaDimension));
  }
}
