package lab.grpclb.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The static-stride scheduler's splits, as grpc-java's {@code StaticStrideSchedulerTest} checks them. */
class StaticStrideSchedulerTest {

  /** How many of {@code picks} picks went to each index, the counter starting at {@code start}. */
  static int[] split(double[] weights, int picks, int start) {
    StaticStrideScheduler scheduler = new StaticStrideScheduler(weights, new AtomicInteger(start));
    int[] counts = new int[weights.length];
    for (int i = 0; i < picks; i++) {
      counts[scheduler.pick()]++;
    }
    return counts;
  }

  static void assertSplit(int[] expected, int[] counts, int tolerance) {
    for (int i = 0; i < expected.length; i++) {
      assertTrue(Math.abs(counts[i] - expected[i]) <= tolerance,
          "index " + i + ": " + counts[i] + " picks, expected " + expected[i] + " ± " + tolerance);
    }
  }

  @Test
  void weightsOneTwoFourSplitThePicksOneTwoFourWhereverTheCounterStarts() {
    for (int start : new int[] {0, 12_345, Integer.MAX_VALUE - 1_000, -1}) { // the last two wrap around
      assertSplit(new int[] {10_000, 20_000, 40_000}, split(new double[] {1, 2, 4}, 70_000, start), 5);
    }
  }

  @Test
  void anEndpointWithoutAWeightGetsTheMeanOfTheOthers() {
    assertSplit(new int[] {10_000, 20_000, 30_000}, split(new double[] {100, 0, 300}, 60_000, 7), 5);
  }

  @Test
  void withFewerThanTwoWeightsItIsPlainRoundRobin() {
    StaticStrideScheduler none = new StaticStrideScheduler(new double[] {0, 0, 0}, new AtomicInteger(0));
    List<Integer> picks = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      picks.add(none.pick());
    }
    assertEquals(List.of(0, 1, 2, 0, 1, 2), picks);
    assertSplit(new int[] {1_000, 1_000, 1_000}, split(new double[] {0, 42, 0}, 3_000, 3), 1);
  }

  @Test
  void aWeightFarBelowTheMeanIsRaisedToATenthOfIt() {
    int[] counts = split(new double[] {1, 1_000}, 100_000, 0);
    // unclamped the first would get 0.1 %; raised to a tenth of the mean (50.05) against 1000 it gets 4.77 %
    assertSplit(new int[] {4_768, 95_232}, counts, 5);
  }
}
