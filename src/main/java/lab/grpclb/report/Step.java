package lab.grpclb.report;

/**
 * One step of section 3: what was done to the cluster, the ClientWithKubeResolver run that followed (or ran
 * through it), and what the step observed besides the run.
 *
 * @param kind        what the step did, as the findings tell steps apart
 * @param title       what the step did, in the write-up's words
 * @param replicas    the replicas asked for during the step
 * @param run         the run
 * @param clientSawMs how long after the cluster change answered the client's endpoints matched the ready pods
 *                    (null when the step changed nothing, or a run overlapped the change on purpose)
 * @param kill        the deleted pod and its replacement, for the kill step
 */
record Step(ScalingStep kind, String title, int replicas, MeasuredRun run, Long clientSawMs, Kill kill) {

  /** The write-up's scaling steps, in its order. */
  enum ScalingStep {
    DURING_SCALE_UP, AFTER_SCALE_UP, BEFORE_KILL, KILL, AFTER_KILL, SCALE_DOWN
  }

  /**
   * The pod deleted in the middle of a run, the Deployment's replacement for it, and when the DELETE was sent and
   * answered (in ms from the run's request): the pod was terminating by the answer.
   */
  record Kill(String pod, String ip, long sentMs, long afterMs, String replacement, String replacementIp) {
  }
}
