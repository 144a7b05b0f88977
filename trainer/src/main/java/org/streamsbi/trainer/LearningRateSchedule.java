package org.streamsbi.trainer;

import java.util.Locale;

/**
 * How Adam's step size moves away from {@link TrainerConfig#learningRate} during training. sbi
 * keeps it constant; the others trade a few settings for faster convergence.
 */
public sealed interface LearningRateSchedule {

  /** The learning rate throughout, as sbi. */
  static LearningRateSchedule constant() {
    return new Constant();
  }

  /**
   * Parses the CLI's form: {@code constant}, {@code cosine:WARMUP:DECAY[:FINAL]} or
   * {@code plateau:FACTOR:PATIENCE[:MIN]}.
   */
  static LearningRateSchedule parse(String text) {
    String[] parts = text.trim().toLowerCase(Locale.ROOT).split(":");
    try {
      switch (parts[0]) {
        case "constant":
          if (parts.length == 1) {
            return constant();
          }
          break;
        case "cosine":
          if (parts.length == 3 || parts.length == 4) {
            return new WarmUpCosine(
                Integer.parseInt(parts[1]),
                Integer.parseInt(parts[2]),
                parts.length == 4 ? Double.parseDouble(parts[3]) : 0.0);
          }
          break;
        case "plateau":
          if (parts.length == 3 || parts.length == 4) {
            return new ReduceOnPlateau(
                Double.parseDouble(parts[1]),
                Integer.parseInt(parts[2]),
                parts.length == 4 ? Double.parseDouble(parts[3]) : 0.01);
          }
          break;
        default:
          break;
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "trainer.learningRateSchedule has a value that is not a number in " + text, e);
    }
    throw new IllegalArgumentException(
        "trainer.learningRateSchedule must be constant, cosine:WARMUP:DECAY[:FINAL] or"
            + " plateau:FACTOR:PATIENCE[:MIN], got " + text);
  }

  /** sbi's: no schedule. */
  record Constant() implements LearningRateSchedule {}

  /**
   * A linear warm-up from 0 over {@code warmUpSteps} steps, then a cosine decay over
   * {@code decaySteps} steps to {@code finalFactor} × the learning rate, held from then on.
   */
  record WarmUpCosine(int warmUpSteps, int decaySteps, double finalFactor)
      implements LearningRateSchedule {
    public WarmUpCosine {
      if (warmUpSteps < 0) {
        throw new IllegalArgumentException(
            "trainer.learningRateSchedule warm-up steps must be at least 0, got " + warmUpSteps);
      }
      if (decaySteps < 1) {
        throw new IllegalArgumentException(
            "trainer.learningRateSchedule decay steps must be at least 1, got " + decaySteps);
      }
      if (!(finalFactor >= 0 && finalFactor <= 1)) {
        throw new IllegalArgumentException(
            "trainer.learningRateSchedule final factor must be in [0, 1], got " + finalFactor);
      }
    }
  }

  /**
   * PyTorch's ReduceLROnPlateau counted in validations: after {@code patience} validations in a
   * row without a better validation loss the learning rate is multiplied by {@code factor}, down
   * to {@code minFactor} × the learning rate.
   */
  record ReduceOnPlateau(double factor, int patience, double minFactor)
      implements LearningRateSchedule {
    public ReduceOnPlateau {
      if (!(factor > 0 && factor < 1)) {
        throw new IllegalArgumentException(
            "trainer.learningRateSchedule plateau factor must be in (0, 1), got " + factor);
      }
      if (patience < 1) {
        throw new IllegalArgumentException(
            "trainer.learningRateSchedule plateau patience must be at least 1, got " + patience);
      }
      if (!(minFactor > 0 && minFactor <= 1)) {
        throw new IllegalArgumentException(
            "trainer.learningRateSchedule plateau minimum factor must be in (0, 1], got "
                + minFactor);
      }
    }
  }
}
