package org.streamsbi.trainer;

/** The conditional density estimator family, as sbi's {@code density_estimator} names. */
public enum Estimator {
  /** Masked autoregressive flow with affine layers, sbi's {@code maf}. */
  MAF,
  /** Neural spline flow with rational-quadratic coupling layers, sbi's {@code nsf}. */
  NSF,
  /** Mixture of full-covariance Gaussians from one network, sbi's {@code mdn}. */
  MDN
}
