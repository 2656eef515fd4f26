package lab.grpclb.report;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The expectation for random subsetting (gRFC A68): {@code clients} clients each draw {@code size} of {@code pods}
 * pods at random, and round robin gives a pod calls in proportion to the clients that drew it, so the busiest pod's
 * load over the mean is the busiest pod's clients over the mean. No closed form is at hand (the draws are without
 * replacement), so it is simulated: {@link #TRIALS} fleets, seeded, so the report is the same every time.
 */
final class SubsetDraws {
  static final int TRIALS = 20_000;
  private static final long SEED = 68; // gRFC A68
  /** The busiest pod's clients over the mean pod's, one per simulated fleet, lowest first. */
  private final double[] ratios;

  SubsetDraws(int clients, int pods, int size) {
    if (clients < 1 || size < 1 || size > pods) {
      throw new IllegalArgumentException("subsets of " + size + " of " + pods + " pods for " + clients + " clients");
    }
    ratios = simulate(clients, pods, size);
  }

  private static double[] simulate(int clients, int pods, int size) {
    SplittableRandom random = new SplittableRandom(SEED);
    double mean = (double) clients * size / pods;
    double[] ratios = new double[TRIALS];
    int[] order = new int[pods];
    for (int t = 0; t < TRIALS; t++) {
      int[] drawn = new int[pods];
      for (int c = 0; c < clients; c++) {
        for (int i = 0; i < pods; i++) {
          order[i] = i;
        }
        for (int i = 0; i < size; i++) { // the first `size` of a partial Fisher-Yates shuffle
          int j = i + random.nextInt(pods - i);
          int pod = order[j];
          order[j] = order[i];
          order[i] = pod;
          drawn[pod]++;
        }
      }
      ratios[t] = Arrays.stream(drawn).max().orElse(0) / mean;
    }
    Arrays.sort(ratios);
    return ratios;
  }

  double expectedMaxOverMean() {
    return Arrays.stream(ratios).average().orElse(Double.NaN);
  }

  /** The {@code quantile} (0 to 1) of the busiest pod over the mean. */
  double maxOverMeanAt(double quantile) {
    return ratios[(int) Math.min(ratios.length - 1, Math.floor(quantile * ratios.length))];
  }

  /** The share of fleets whose busiest pod is within {@code limit} times the mean. */
  double shareWithin(double limit) {
    return Arrays.stream(ratios).filter(r -> r <= limit + 1e-9).count() / (double) TRIALS;
  }
}
