package lab.grpclb.local;

import lab.grpclb.config.Capacity;
import lab.grpclb.config.FlagTable;
import lab.grpclb.config.WarmUp;

/**
 * The Deployment's pod template as far as local mode acts on it: what a pod started from it runs (its reply delay,
 * GREETER_DELAY_MS, its capacity and its warm-up, as the container's flags would say) and how it ends (its preStop
 * pause, then the rest of its termination grace period to drain its calls). A pod keeps the template it started
 * from; the hash names its pods, as pod-template-hash does. A manifest applied with kubectl sets the delay and the
 * ends (a new hash: a rollout); {@code POST /cluster/pod-template} sets what the next pods run, with no rollout.
 */
public record PodTemplate(String hash, int delayMs, Capacity capacity, WarmUp warmUp, long preStopMs,
                          long gracePeriodSeconds) {
  /** A pod's grace period when no manifest set one: the server's drain timeout, which it has to finish its calls. */
  static final long DEFAULT_GRACE_SECONDS = FlagTable.SERVER_DRAIN_TIMEOUT_MS.defaultValue() / 1000;
  /** The first template's hash, in the first pods' names. */
  static final String FIRST_HASH = "7d9f8";

  /** What local mode starts with: its flags' delay, capacity and warm-up, no preStop hook, the drain timeout. */
  static PodTemplate initial(int delayMs, Capacity capacity, WarmUp warmUp) {
    return new PodTemplate(FIRST_HASH, delayMs, capacity, warmUp, 0, DEFAULT_GRACE_SECONDS);
  }

  PodTemplate withHash(String newHash) {
    return new PodTemplate(newHash, delayMs, capacity, warmUp, preStopMs, gracePeriodSeconds);
  }

  /** The same ends, the next pods running these (the pod-template route: no new hash, no rollout). */
  PodTemplate withRun(int newDelayMs, Capacity newCapacity, WarmUp newWarmUp) {
    return new PodTemplate(hash, newDelayMs, newCapacity, newWarmUp, preStopMs, gracePeriodSeconds);
  }
}
