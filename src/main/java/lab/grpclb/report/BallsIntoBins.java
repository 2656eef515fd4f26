package lab.grpclb.report;

/**
 * M connections placed on N pods uniformly at random (kube-proxy's choice per connection), each carrying an equal
 * share of the calls: the fullest pod's load over the mean, from the exact distribution of the fullest bin. Exact
 * rather than simulated, so the expectation carries no error of its own to state beside the measured one.
 *
 * <p>P(max ≤ k) is computed bin by bin: with r balls left for b bins, the next bin takes j ~ Binomial(r, 1/b), and
 * only j ≤ k goes on. Every term is a probability, so nothing overflows at any M.
 */
record BallsIntoBins(int balls, int bins) {
  /** A probability too small to change a load ratio's third figure. */
  static final double NEGLIGIBLE = 1e-12;

  BallsIntoBins {
    if (balls < 1 || bins < 1) {
      throw new IllegalArgumentException("balls and bins must be at least 1: " + balls + ", " + bins);
    }
  }

  /** The mean bin's balls. */
  double mean() {
    return (double) balls / bins;
  }

  /** E[fullest bin] / mean: 1 means perfectly even. */
  double expectedMaxOverMean() {
    double[] logFactorials = logFactorials(balls);
    double expectedMax = 0;
    for (int k = 0; k < balls; k++) {
      double above = 1 - atMost(k, logFactorials); // E[X] = Σ P(X > k) for a count
      if (above < NEGLIGIBLE && (long) k * bins >= balls) {
        break; // every larger k adds less still
      }
      expectedMax += above;
    }
    return expectedMax / mean();
  }

  /** The fullest bin over the mean at quantile q (0..1) of its distribution: the smallest k with P(max ≤ k) ≥ q. */
  double maxOverMeanAt(double q) {
    double[] logFactorials = logFactorials(balls);
    for (int k = (balls + bins - 1) / bins; k <= balls; k++) {
      if (atMost(k, logFactorials) >= q - NEGLIGIBLE) {
        return k / mean();
      }
    }
    return balls / mean();
  }

  /**
   * The fewest balls whose expected max/mean is within {@code ratio} on {@code bins} bins, up to {@code maxBalls}; -1
   * when none is: doubling, then bisecting. The expectation ripples by a few hundredths as M crosses multiples of N,
   * so this is the crossing the bisection finds, to within that ripple.
   */
  static int fewestBallsWithin(int bins, double ratio, int maxBalls) {
    int low = 1;
    int high = bins;
    while (new BallsIntoBins(high, bins).expectedMaxOverMean() > ratio) {
      if (high >= maxBalls) {
        return -1;
      }
      low = high;
      high = Math.min(2 * high, maxBalls);
    }
    while (low + 1 < high) {
      int mid = (low + high) / 2;
      if (new BallsIntoBins(mid, bins).expectedMaxOverMean() > ratio) {
        low = mid;
      } else {
        high = mid;
      }
    }
    return high;
  }

  /** P(every bin holds at most k balls). */
  double atMost(int k) {
    return atMost(k, logFactorials(balls));
  }

  private double atMost(int k, double[] logFactorials) {
    if ((long) k * bins < balls) {
      return 0;
    }
    double[] left = new double[balls + 1]; // left[r]: P(r balls still to place, every bin so far ≤ k)
    left[balls] = 1;
    for (int b = bins; b >= 1; b--) {
      double[] next = new double[balls + 1];
      for (int r = 0; r <= balls; r++) {
        if (left[r] == 0) {
          continue;
        }
        if (b == 1) {
          next[0] += r <= k ? left[r] : 0; // the last bin takes every ball left
          continue;
        }
        for (int j = 0; j <= Math.min(k, r); j++) {
          next[r - j] += left[r] * binomial(logFactorials, r, j, 1.0 / b);
        }
      }
      left = next;
    }
    return left[0];
  }

  private static double binomial(double[] logFactorials, int n, int j, double p) {
    return Math.exp(logFactorials[n] - logFactorials[j] - logFactorials[n - j] + j * Math.log(p)
        + (n - j) * Math.log1p(-p));
  }

  /** ln 0! to ln n!, once per question rather than once per term. */
  private static double[] logFactorials(int n) {
    double[] table = new double[n + 1];
    for (int i = 2; i <= n; i++) {
      table[i] = table[i - 1] + Math.log(i);
    }
    return table;
  }
}
