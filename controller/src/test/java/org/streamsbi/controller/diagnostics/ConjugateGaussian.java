package org.streamsbi.controller.diagnostics;

import java.util.SplittableRandom;
import org.streamsbi.core.prior.MultivariateNormal;
import org.streamsbi.core.prior.Prior;
import org.streamsbi.simulator.Simulator;

/**
 * θ ~ N(0, σ_p²·I), x ~ N(θ, σ_n²·I): the exact posterior is N(x·σ_p²/(σ_p² + σ_n²), σ_p²σ_n²/(σ_p²
 * + σ_n²)·I). Its posterior estimate can be made too narrow or too wide by scaling the std, or
 * shifted, to give the diagnostics something they must reject.
 */
final class ConjugateGaussian {
  final int dimension;
  final double priorVariance;
  final double noiseVariance;

  ConjugateGaussian(int dimension, double priorVariance, double noiseVariance) {
    this.dimension = dimension;
    this.priorVariance = priorVariance;
    this.noiseVariance = noiseVariance;
  }

  Prior prior() {
    return MultivariateNormal.isotropic(new double[dimension], priorVariance);
  }

  Simulator simulator() {
    return Simulator.of(
        dimension,
        dimension,
        (theta, seed) -> {
          SplittableRandom rng = new SplittableRandom(seed);
          float[] x = new float[dimension];
          for (int j = 0; j < dimension; j++) {
            x[j] = (float) (theta[j] + Math.sqrt(noiseVariance) * rng.nextGaussian());
          }
          return x;
        });
  }

  /** The exact posterior with its std multiplied by {@code stdScale} and its mean moved by {@code shift}. */
  PosteriorEstimate posterior(double stdScale, double shift) {
    double gain = priorVariance / (priorVariance + noiseVariance);
    double std = stdScale * Math.sqrt(priorVariance * noiseVariance / (priorVariance + noiseVariance));
    return new PosteriorEstimate() {
      @Override
      public int thetaDimension() {
        return dimension;
      }

      @Override
      public float[][] sample(int n, float[] x, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] draws = new float[n][dimension];
        for (float[] draw : draws) {
          for (int j = 0; j < dimension; j++) {
            draw[j] = (float) (gain * x[j] + shift + std * rng.nextGaussian());
          }
        }
        return draws;
      }

      @Override
      public double[] logProb(float[][] theta, float[] x) {
        double[] logQ = new double[theta.length];
        for (int r = 0; r < theta.length; r++) {
          double sum = 0;
          for (int j = 0; j < dimension; j++) {
            double z = (theta[r][j] - gain * x[j] - shift) / std;
            sum += -0.5 * z * z - Math.log(std) - 0.5 * Math.log(2 * Math.PI);
          }
          logQ[r] = sum;
        }
        return logQ;
      }
    };
  }

  PosteriorEstimate exactPosterior() {
    return posterior(1, 0);
  }
}
