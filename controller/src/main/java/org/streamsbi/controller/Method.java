package org.streamsbi.controller;

import java.util.Locale;
import org.streamsbi.trainer.Estimator;

/** How a run spends its simulation budget, by sbi's names. */
public enum Method {
  /** Amortised NPE: one round from the prior; the posterior serves every observation. */
  NPE(false, Estimator.MAF),
  /**
   * SNPE-C (APT, Greenberg et al. 2019): round 1 from the prior with the NPE loss, later rounds
   * from the last round's posterior at x_o, trained on all rounds' data with the atomic loss (10
   * atoms, as sbi), with barriers between rounds.
   */
  SNPE(true, Estimator.MAF),
  /**
   * Truncated sequential NPE (Deistler et al. 2022): rounds from the prior restricted to the
   * highest-probability region of the last round's posterior, the plain NPE loss on all rounds,
   * training stopped at each round's end and the round's simulations awaited (barriers).
   */
  TSNPE(true, Estimator.NSF),
  /**
   * TSNPE without barriers: training never stops between rounds, the truncation region is
   * refreshed from the live model every few training steps and proposals stay in flight.
   */
  TSNPE_ASYNC(true, Estimator.NSF);

  private final boolean sequential;
  private final Estimator defaultEstimator;

  Method(boolean sequential, Estimator defaultEstimator) {
    this.sequential = sequential;
    this.defaultEstimator = defaultEstimator;
  }

  /**
   * The estimator a run of this method gets unless it names one: the best in the README's bench
   * tables at 10,000 simulations, where the NSF led tsnpe on three of the four sbibm tasks (the
   * MAF on gaussian_linear). npe keeps the MAF, as sbi; snpe was measured with the NSF only, so it
   * keeps the MAF too.
   */
  public Estimator defaultEstimator() {
    return defaultEstimator;
  }

  /** Whether the method targets one observation over several rounds. */
  public boolean sequential() {
    return sequential;
  }

  /** The command-line name: npe, snpe, tsnpe, tsnpe-async. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** @throws IllegalArgumentException naming the field for an unknown name */
  public static Method parse(String label) {
    for (Method m : values()) {
      if (m.label().equals(label)) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "method must be npe, snpe, tsnpe or tsnpe-async, got " + label);
  }
}
