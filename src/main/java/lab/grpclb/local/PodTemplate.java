package lab.grpclb.local;

import lab.grpclb.config.Capacity;
import lab.grpclb.config.WarmUp;

/**
 * What the Deployment gives every pod it starts from now on (scale-ups, replacements, rollouts): the reply delay, the
 * capacity and the warm-up, as a pod template's container flags would. Local mode starts with its flags';
 * {@code POST /cluster/pod-template} changes it. Pods already running keep what they started with, and no rollout
 * follows: the template only says what comes next, so a report can make the pods of one scale-up cold.
 */
public record PodTemplate(int delayMs, Capacity capacity, WarmUp warmUp) {
}
