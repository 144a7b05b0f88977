package org.streamsbi.trainer;

import java.nio.file.Path;

/** A training for {@link ResumeTest} to kill: runs until killed, printing each validation's step. */
final class TrainingChild {
  private TrainingChild() {}

  public static void main(String[] args) throws Exception {
    new NpeTrainer(FlowConfig.defaults(), ResumeTest.childConfig(Path.of(args[0])))
        .train(
            ResumeTest.childBuffer(),
            ResumeTest.PRIOR,
            StoppingRule.maxSteps(Long.MAX_VALUE),
            progress -> {
              System.out.println("step " + progress.step());
              System.out.flush();
            });
  }
}
