package lab.grpclb.balance;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import lab.grpclb.config.SlowStartConfig;

/**
 * Envoy's slow start ({@code slow_start_config}, {@code EdfLoadBalancerBase::applySlowStartFactor}): an endpoint
 * that joins the Service after the first ones ramps up from when it turns READY, its weight scaled by
 * max(min_weight_percent / 100, (time READY / window)^(1 / aggression)) until the window ends. The first endpoints
 * never ramp (Envoy: not at the first host set): they all start together, so a ramp would hold them back from nobody.
 * A pod ramps once: a reconnect to it (a GOAWAY at its maximum connection age, say) reaches a process already warm.
 * Time is the balancer's {@link Scheduler}. On the balancer's event loop only.
 */
final class SlowStart {
  private final SlowStartConfig config;
  private final Scheduler clock;
  /** Endpoints that joined after others and were never READY: each ramps from when it turns READY. */
  private final Set<String> waiting = new HashSet<>();
  /** Endpoints ramping or done ramping, and when each turned READY. */
  private final Map<String, Long> readySince = new HashMap<>();

  SlowStart(SlowStartConfig config, Scheduler clock) {
    this.config = config;
    this.clock = clock;
  }

  /** An endpoint joined; one that joined others ramps when it turns READY (nothing ramps while slow start is off). */
  void joined(String key, boolean joinedOthers) {
    if (config.on() && joinedOthers) {
      waiting.add(key);
    }
  }

  void ready(String key) {
    if (waiting.remove(key)) {
      readySince.put(key, clock.nanoTime());
    }
  }

  void left(String key) {
    waiting.remove(key);
    readySince.remove(key);
  }

  /** Its weight factor now: below 1 while it ramps. */
  double factor(String key) {
    Long since = readySince.get(key);
    return since == null ? 1 : config.weightAt(elapsedMs(since));
  }

  /** True while one of {@code ready} ramps. */
  boolean anyRamping(List<Subchannel> ready) {
    return ready.stream().anyMatch(s -> factor(s.key()) < 1);
  }

  /** How long until the last of {@code ready}'s ramps ends (0 when none ramps). */
  long msUntilRampsEnd(List<Subchannel> ready) {
    double left = 0;
    for (Subchannel subchannel : ready) {
      Long since = readySince.get(subchannel.key());
      if (since != null) {
        left = Math.max(left, config.windowMs() - elapsedMs(since));
      }
    }
    return (long) Math.ceil(left);
  }

  private double elapsedMs(long sinceNanos) {
    return (clock.nanoTime() - sinceNanos) / 1e6;
  }
}
