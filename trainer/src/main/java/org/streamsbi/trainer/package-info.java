/**
 * Neural posterior estimation (NPE, as in sbi) trained online from a replay buffer, and the C2ST
 * metric to judge it.
 *
 * <p>Entry points: {@link org.streamsbi.trainer.NpeTrainer} trains a conditional masked
 * autoregressive flow or neural spline flow ({@link org.streamsbi.trainer.Estimator}) and returns a {@link org.streamsbi.trainer.Posterior} (which owns native
 * memory: close it); {@link org.streamsbi.trainer.ClassifierTwoSampleTest} compares sample sets.
 *
 * <p>Runs on DJL's PyTorch engine in float32, on the GPU when the engine sees one. The CPU natives
 * come from the {@code pytorch-native-cpu} jar offline; on a GPU host DJL 0.35.1 needs a local
 * libtorch through {@code PYTORCH_LIBRARY_PATH} (CUDA natives on Maven Central stop at an older
 * PyTorch). Weight initialisation is seeded through the engine's global seed, so trainings
 * started at the same moment in one JVM are not reproducible; one after another they are.
 */
package org.streamsbi.trainer;
