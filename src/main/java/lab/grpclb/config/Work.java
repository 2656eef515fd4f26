package lab.grpclb.config;

import java.util.Arrays;
import java.util.Locale;

/**
 * How a pod with a capacity spends a call's service time ({@code --work}): a timer, so that a pod costs nothing while
 * it "works" and saturation is the queue's arithmetic alone, or real CPU burnt on a pool of {@code c} threads, so that
 * pods and client share the machine's cores and saturate them for real.
 */
public enum Work {
  TIMER, CPU;

  /** What a flag or query spells it: timer or cpu. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The mode {@code name} spells; fails saying "must be timer|cpu, got '...'", for the caller to prefix. */
  public static Work parse(String name) {
    return Arrays.stream(values()).filter(w -> w.wireName().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("must be timer|cpu, got '" + name + "'"));
  }
}
