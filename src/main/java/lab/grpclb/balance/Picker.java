package lab.grpclb.balance;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses where the next call goes. A picker's targets are fixed: on every endpoint change a new one is built and
 * swapped in with one write, so picking never locks. States are types: {@link Empty} has nowhere to send a
 * call and says why; {@link RoundRobin} rotates over a fixed list; the {@link TwoChoicePicker}s take the less
 * loaded of two random endpoints. The weighted ones keep their list but not their weights:
 * {@link WeightedRoundRobinPicker} takes fresh weights every update period (gRFC A58), and {@link EdfPicker} weighs
 * each endpoint again as it picks it (Envoy's slow start).
 */
public sealed interface Picker<T> permits Picker.Empty, Picker.RoundRobin, TwoChoicePicker, WeightedRoundRobinPicker,
    EdfPicker {

  /** The next target, or null when there is none. */
  T pick();

  /** A target other than {@code avoid} when there is one (for a retry), else the next one. */
  T pickOtherThan(T avoid);

  List<T> targets();

  /** An immutable copy of a picker's targets, refusing none: a picker with no target is {@link Empty}. */
  static <T> List<T> atLeastOne(List<T> targets, String picker) {
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("a " + picker + " picker needs at least one target; use Empty");
    }
    return List.copyOf(targets);
  }

  /** No target: {@code reason} says why (no endpoints yet, all pods gone, API unreachable...). */
  record Empty<T>(String reason) implements Picker<T> {
    @Override
    public T pick() {
      return null;
    }

    @Override
    public T pickOtherThan(T avoid) {
      return null;
    }

    @Override
    public List<T> targets() {
      return List.of();
    }
  }

  /**
   * Round robin: a pick is one atomic increment and an index. The counter is shared by successive pickers,
   * so rotation continues across endpoint changes, and it starts at a random value, so that many clients
   * don't all begin with the same pod.
   */
  record RoundRobin<T>(List<T> targets, AtomicInteger rotation) implements Picker<T> {
    public RoundRobin {
      targets = Picker.atLeastOne(targets, "round-robin");
    }

    @Override
    public T pick() {
      return targets.get(Math.floorMod(rotation.getAndIncrement(), targets.size()));
    }

    @Override
    public T pickOtherThan(T avoid) {
      for (int i = 0; i < targets.size(); i++) {
        T candidate = pick();
        if (!candidate.equals(avoid)) {
          return candidate;
        }
      }
      return pick();
    }
  }
}
