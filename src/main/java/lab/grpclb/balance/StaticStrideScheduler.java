package lab.grpclb.balance;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * weighted_round_robin's scheduler, grpc-java's {@code StaticStrideScheduler}: the sequence an EDF scheduler would
 * give (gRFC A58), from one shared counter and modular arithmetic instead of a priority queue, so a pick is an
 * increment and a test, and the scheduler is cheap enough to rebuild every weight update.
 *
 * <p>Weights are scaled so the largest is {@link #MAX_WEIGHT}. The counter walks the endpoints in rounds
 * ("generations"); endpoint i is taken in generation g when {@code (w_i x g + offset_i) mod MAX >= MAX - w_i}, that is
 * in w_i / MAX of the rounds, and skipped otherwise. An endpoint with no weight gets the mean of the others, and when
 * fewer than two have one all weigh the same: plain round robin (A58). Weights are clamped to [mean / 10, mean x 10],
 * as grpc-java does, so that a pick skips few rounds even when one pod reports a weight near zero.
 */
final class StaticStrideScheduler {
  static final int MAX_WEIGHT = 0xFFFF;
  private static final double MAX_RATIO = 10;
  private static final double MIN_RATIO = 0.1;

  private final int[] scaled;
  /** Shared by successive schedulers, as the round-robin rotation is, so a rebuild does not restart the walk. */
  private final AtomicInteger sequence;

  /** Over {@code weights}, one per endpoint, 0 for an endpoint without a usable weight. */
  StaticStrideScheduler(double[] weights, AtomicInteger sequence) {
    if (weights.length == 0) {
      throw new IllegalArgumentException("a scheduler needs at least one endpoint");
    }
    double sum = 0;
    double max = 0;
    int weighted = 0;
    for (double weight : weights) {
      if (weight > 0) {
        sum += weight;
        max = Math.max(max, weight);
        weighted++;
      }
    }
    double mean = weighted == 0 ? 1 : sum / weighted;
    double ceiling = weighted == 0 ? 1 : Math.min(max, MAX_RATIO * mean);
    double scale = MAX_WEIGHT / ceiling;
    int floor = (int) Math.ceil(scale * mean * MIN_RATIO); // at least 1: a tiny weight still gets picked
    int meanScaled = (int) Math.round(scale * mean);
    this.scaled = new int[weights.length];
    for (int i = 0; i < weights.length; i++) {
      scaled[i] = weights[i] > 0 ? Math.max(floor, (int) Math.round(scale * Math.min(weights[i], ceiling))) : meanScaled;
    }
    this.sequence = sequence;
  }

  /** The index of the next endpoint. */
  int pick() {
    while (true) {
      long next = Integer.toUnsignedLong(sequence.getAndIncrement());
      int index = (int) (next % scaled.length);
      long generation = next / scaled.length;
      int weight = scaled[index];
      // a different phase per endpoint, so the rounds they skip are not the same rounds
      long offset = (long) MAX_WEIGHT / 2 * index;
      if ((weight * generation + offset) % MAX_WEIGHT >= MAX_WEIGHT - weight) {
        return index;
      }
    }
  }
}
