package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ensemble's mixture algebra on random members, independent of training. */
class EnsembleTest {

  private static Ensemble randomEnsemble(NDManager manager, int members, long seed) {
    return RandomFlows.randomize(
        (Ensemble)
            ConditionalEstimator.of(new FlowConfig(Estimator.NSF, 2, 8).withEnsemble(members), 2, 1),
        manager,
        seed);
  }

  private static List<ConditionalEstimator> members(Ensemble ensemble) {
    return ensemble.getChildren().values().stream().map(ConditionalEstimator.class::cast).toList();
  }

  @Test
  void theDensityIsTheMeanOfTheMembersAndTrainingSumsTheirOwnLogDensities() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Ensemble ensemble = randomEnsemble(manager, 3, 4);
      List<ConditionalEstimator> members = members(ensemble);
      assertEquals(3, members.size());
      NDArray theta = manager.randomNormal(new Shape(50, 2));
      NDArray x = manager.randomNormal(new Shape(50, 1));
      float[] mixture = ensemble.logProb(theta, x, Parameter::getArray).toFloatArray();
      float[] training = ensemble.trainingLogProb(theta, x, Parameter::getArray).toFloatArray();
      float[][] each = new float[3][];
      for (int k = 0; k < 3; k++) {
        each[k] = members.get(k).logProb(theta, x, Parameter::getArray).toFloatArray();
      }
      for (int r = 0; r < 50; r++) {
        double density = 0;
        double logSum = 0;
        for (int k = 0; k < 3; k++) {
          density += Math.exp(each[k][r]) / 3;
          logSum += each[k][r] / 3;
        }
        assertEquals(Math.log(density), mixture[r], 1e-4, "log q of row " + r);
        assertEquals(logSum, training[r], 1e-4, "training log q of row " + r);
      }
      assertTrue(Math.abs(each[0][0] - each[1][0]) > 1e-3, "the members start apart");
    }
  }

  @Test
  void theMixtureIntegratesToOne() {
    try (NDManager manager = NDManager.newBaseManager()) {
      assertEquals(1.0, RandomFlows.mass(randomEnsemble(manager, 3, 7), manager, 10, 400, 0.7f), 0.01);
    }
  }

  /** Each draw comes from a member chosen at random: draws have the mixture's moments. */
  @Test
  void drawsHaveTheMixturesMoments() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Ensemble ensemble = randomEnsemble(manager, 3, 5);
      double[] fromDensity = RandomFlows.assertDrawsHaveTheDensitysMoments(ensemble, manager);
      double[] firstMember = RandomFlows.moments(members(ensemble).get(0), manager, 20, 500, 0.7f);
      // Ten standard errors of a mean of the 40,000 draws.
      assertTrue(
          Math.abs(firstMember[1] - fromDensity[1]) > 0.05 * Math.sqrt(fromDensity[3])
              || Math.abs(firstMember[2] - fromDensity[2]) > 0.05 * Math.sqrt(fromDensity[5]),
          "the mixture's mean is not its first member's");
    }
  }
}
