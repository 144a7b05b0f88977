package org.streamsbi.controller;

import java.util.Locale;

/** How a run spends its simulation budget, by sbi's names. */
public enum Method {
  /** Amortised NPE: one round from the prior; the posterior serves every observation. */
  NPE(false),
  /**
   * SNPE-C (APT, Greenberg et al. 2019): round 1 from the prior with the NPE loss, later rounds
   * from the last round's posterior at x_o, trained on all rounds' data with the atomic loss (10
   * atoms, as sbi), with barriers between rounds.
   */
  SNPE(true),
  /**
   * Truncated sequential NPE (Deistler et al. 2022): rounds from the prior restricted to the
   * highest-probability region of the last round's posterior, the plain NPE loss on all rounds,
   * training stopped at each round's end and the round's simulations awaited (barriers).
   */
  TSNPE(true),
  /**
   * TSNPE without barriers: training never stops between rounds, the truncation region is
   * refreshed from the live model every few training steps and proposals stay in flight.
   */
  TSNPE_ASYNC(true);

  private final boolean sequential;

  Method(boolean sequential) {
    this.sequential = sequential;
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
