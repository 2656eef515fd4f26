package lab.grpclb.balance;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * weighted_round_robin's picker (gRFC A58): its READY targets are fixed, and its {@link StaticStrideScheduler} is
 * swapped for one with fresh weights every weight update period, as A58's picker does, so weights change without a
 * new picker reaching the channel each second. Picked and updated on the balancer's event loop only.
 */
public final class WeightedRoundRobinPicker<T> implements Picker<T> {
  private static final int ROUNDS_TO_MEET_ALL = 100;
  private final List<T> targets;
  private final AtomicInteger sequence;
  private StaticStrideScheduler scheduler;

  /** {@code weights[i]} is {@code targets[i]}'s (0: none); {@code sequence} carries over from picker to picker. */
  WeightedRoundRobinPicker(List<T> targets, AtomicInteger sequence, double[] weights) {
    this.targets = Picker.atLeastOne(targets, "weighted round-robin");
    this.sequence = sequence;
    updateWeights(weights);
  }

  /** The weights of {@link #targets()}, in their order, from now on. */
  void updateWeights(double[] weights) {
    if (weights.length != targets.size()) {
      throw new IllegalArgumentException(weights.length + " weights for " + targets.size() + " targets");
    }
    scheduler = new StaticStrideScheduler(weights, sequence);
  }

  @Override
  public T pick() {
    return targets.get(scheduler.pick());
  }

  /**
   * Picks until another than {@code avoid} comes up. The scheduler clamps weights to 1/10 and 10 times their mean, so
   * in 100 rounds every endpoint comes up at least once: a bound that only a single target reaches.
   */
  @Override
  public T pickOtherThan(T avoid) {
    for (int i = 0; i < ROUNDS_TO_MEET_ALL * targets.size(); i++) {
      T candidate = pick();
      if (!candidate.equals(avoid)) {
        return candidate;
      }
    }
    return pick();
  }

  @Override
  public List<T> targets() {
    return targets;
  }
}
