package lab.grpclb.balance;

import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.ToDoubleFunction;
import java.util.random.RandomGenerator;

/**
 * Earliest deadline first over weights that change as it picks (Envoy's {@code EdfScheduler::pickAndAdd}, which
 * its round robin and least request use while an endpoint is in slow start): each endpoint waits in a queue with a
 * deadline; a pick takes the earliest, moves the virtual clock to it, and queues that endpoint again
 * 1 / weight later, its weight read afresh (slow start's factor has grown; least request's calls in flight have
 * changed). First deadlines are random within each endpoint's period (gRFC A58), so that clients do not move in step.
 * A queue is state: it is picked on the balancer's event loop only.
 */
public final class EdfPicker<T> implements Picker<T> {
  private final List<T> targets;
  private final ToDoubleFunction<T> weight;
  private final PriorityQueue<Deadline<T>> queue = new PriorityQueue<>(
      Comparator.<Deadline<T>>comparingDouble(Deadline::at).thenComparingLong(Deadline::order));
  private double now;
  /** Breaks ties in deadline: the endpoint queued first goes first. */
  private long order;

  /** One endpoint in the queue. */
  private record Deadline<T>(double at, long order, T target) {
  }

  /** {@code weight} must be above 0 for each target. */
  EdfPicker(List<T> targets, ToDoubleFunction<T> weight, RandomGenerator random) {
    this.targets = Picker.atLeastOne(targets, "EDF");
    this.weight = weight;
    for (T target : this.targets) {
      queue.add(new Deadline<>(random.nextDouble() / weight.applyAsDouble(target), order++, target));
    }
  }

  @Override
  public T pick() {
    Deadline<T> next = queue.remove();
    now = next.at();
    queue.add(new Deadline<>(now + 1 / weight.applyAsDouble(next.target()), order++, next.target()));
    return next.target();
  }

  @Override
  public T pickOtherThan(T avoid) {
    if (targets.size() == 1) {
      return pick();
    }
    T picked = pick();
    while (picked.equals(avoid)) {
      picked = pick();
    }
    return picked;
  }

  @Override
  public List<T> targets() {
    return targets;
  }
}
