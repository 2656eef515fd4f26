package lab.grpclb.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The pickers on fake endpoints, a fake clock and scripted random draws, the way grpc-java's
 * {@code RoundRobinLoadBalancerTest} and {@code LeastRequestLoadBalancerTest} test theirs.
 */
class PickersTest {
  final FakeClock clock = new FakeClock();

  record Fake(String name, EndpointLoad load) implements LoadedEndpoint {
  }

  Fake endpoint(String name) {
    return new Fake(name, new EndpointLoad(10_000, 30, clock));
  }

  List<Fake> endpoints(String... names) {
    List<Fake> list = new ArrayList<>();
    for (String name : names) {
      list.add(endpoint(name));
    }
    return list;
  }

  /** Draws these indexes in turn (grpc-java's tests mock their random the same way). */
  static IntUnaryOperator script(int... draws) {
    Deque<Integer> left = new ArrayDeque<>();
    for (int draw : draws) {
      left.add(draw);
    }
    return bound -> {
      int draw = left.removeFirst();
      assertTrue(draw < bound, "draw " + draw + " within " + bound);
      return draw;
    };
  }

  static void startCalls(Fake endpoint, int count) {
    for (int i = 0; i < count; i++) {
      endpoint.load().callStarted();
    }
  }

  static <T extends LoadedEndpoint> Map<T, Integer> spread(Picker<T> picker, int picks) {
    Map<T, Integer> counts = new HashMap<>();
    for (int i = 0; i < picks; i++) {
      counts.merge(picker.pick(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void roundRobinKeepsRotatingAcrossPickerSwaps() {
    List<Fake> abcd = endpoints("a", "b", "c", "d");
    AtomicInteger rotation = new AtomicInteger();
    Picker<Fake> first = new Picker.RoundRobin<>(abcd.subList(0, 3), rotation);
    assertSame(abcd.get(0), first.pick());
    assertSame(abcd.get(1), first.pick());
    Picker<Fake> second = new Picker.RoundRobin<>(abcd, rotation); // a fourth endpoint became READY
    assertSame(abcd.get(2), second.pick(), "the rotation goes on where it was, not from the first endpoint");
    assertSame(abcd.get(3), second.pick());
    assertSame(abcd.get(0), second.pick());
    Picker<Fake> third = new Picker.RoundRobin<>(abcd.subList(1, 4), rotation); // "a" left
    assertSame(abcd.get(3), third.pick(), "counter 5 over [b, c, d]");
  }

  @Test
  void roundRobinWrapsAtIntegerMaxValueWithoutLeavingTheList() {
    List<Fake> abc = endpoints("a", "b", "c");
    Picker<Fake> picker = new Picker.RoundRobin<>(abc, new AtomicInteger(Integer.MAX_VALUE - 2));
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      names.add(picker.pick().name());
    }
    // MAX-2, MAX-1, MAX, MIN, ... mod 3 = 2, 0, 1, 1, 2, 0, 1: past the wrap it rotates on; at the wrap itself one
    // endpoint is picked twice in a row, once every 2^32 picks (grpc-java's counter does the same).
    assertEquals(List.of("c", "a", "b", "b", "c", "a", "b"), names);
    Picker<Fake> pair = new Picker.RoundRobin<>(abc.subList(0, 2), new AtomicInteger(Integer.MAX_VALUE));
    assertEquals(List.of("b", "a", "b"), List.of(pair.pick().name(), pair.pick().name(), pair.pick().name()),
        "a list whose size divides 2^32 rotates exactly through the wrap");
  }

  @Test
  void leastRequestSendsNothingToABusyEndpointWhenItDrawsAnother() {
    List<Fake> abc = endpoints("a", "b", "c");
    Fake busy = abc.get(1);
    startCalls(busy, 100);
    int toBusy = 0;
    for (int first = 0; first < 3; first++) {
      for (int second = 0; second < 3; second++) {
        Fake picked = new LeastRequestPicker<>(abc, script(first, second)).pick();
        if (first != 1 || second != 1) {
          assertNotEquals(busy, picked, "draws " + first + ", " + second);
        } else {
          toBusy++;
        }
      }
    }
    assertEquals(1, toBusy, "with replacement, only drawing it twice (1/n² of picks) sends it a call");
    Map<Fake, Integer> counts = spread(new LeastRequestPicker<>(abc, new SplittableRandom(7)::nextInt), 9_000);
    assertTrue(Math.abs(counts.getOrDefault(busy, 0) - 1_000) < 150, "about 1/9 of 9 000: " + counts);
  }

  @Test
  void leastRequestSpreadsTiesAtRandomUnlikeAStrictScan() {
    List<Fake> abc = endpoints("a", "b", "c");
    assertSame(abc.get(2), new LeastRequestPicker<>(abc, script(2, 0)).pick(), "a tie keeps the first draw");
    assertSame(abc.get(0), new LeastRequestPicker<>(abc, script(0, 2)).pick());
    abc.get(0).load().callStarted();
    assertSame(abc.get(2), new LeastRequestPicker<>(abc, script(0, 2)).pick(), "fewer calls in flight wins");
    abc.get(0).load().callEnded(clock.getAsLong());
    Map<Fake, Integer> counts = spread(new LeastRequestPicker<>(abc, new SplittableRandom(11)::nextInt), 30_000);
    for (Fake endpoint : abc) {
      assertTrue(Math.abs(counts.get(endpoint) - 10_000) < 500, "nothing in flight: an even spread " + counts);
    }
  }

  @Test
  void retriesAvoidTheLastEndpointWithEveryPicker() {
    List<Fake> abc = endpoints("a", "b", "c");
    for (Picker<Fake> picker : List.of(new Picker.RoundRobin<>(abc, new AtomicInteger()),
        new LeastRequestPicker<>(abc, RandomDraw.THREAD_LOCAL), new PeakEwmaPicker<>(abc, RandomDraw.THREAD_LOCAL))) {
      for (int i = 0; i < 100; i++) {
        assertNotEquals(abc.get(1), picker.pickOtherThan(abc.get(1)), picker.getClass().getSimpleName());
      }
    }
    assertSame(abc.get(2), new LeastRequestPicker<>(abc, script(1, 1)).pickOtherThan(abc.get(1)),
        "index 1 of [a, c]");
    assertSame(abc.get(0), new PeakEwmaPicker<>(abc.subList(0, 2), script()).pickOtherThan(abc.get(1)),
        "the only other one, no draw");
  }

  @Test
  void peakEwmaReactsToOneSlowSampleAtOnce() {
    List<Fake> ab = endpoints("a", "b");
    Fake a = ab.get(0);
    Fake b = ab.get(1);
    for (int i = 0; i < 10; i++) {
      clock.call(a, 20);
      clock.call(b, 20);
    }
    assertTrue(a.load().rttEstimateNanos() / 1e6 < 30, "on its way from the initial 30 ms to 20 ms");
    clock.call(a, 200);
    assertEquals(200.0, a.load().rttEstimateNanos() / 1e6, 1e-9, "a sample above the estimate replaces it");
    assertEquals(200.0, a.load().cost() / 1e6, 1e-9, "cost = RTT x (0 in flight + 1)");
    // Draws (0, 0) give (a, b), (1, 0) give (b, a): the second draw leaves the first out.
    assertSame(b, new PeakEwmaPicker<>(ab, script(0, 0)).pick(), "the very next pick avoids a");
    assertSame(b, new PeakEwmaPicker<>(ab, script(1, 0)).pick());
    startCalls(b, 10); // b: about 30 ms x (10 + 1) > 200 ms
    assertSame(a, new PeakEwmaPicker<>(ab, script(1, 0)).pick(), "cost weighs the calls in flight");
  }

  @Test
  void peakEwmaDecaysTowardTheSamplesOverTheConfiguredTime() {
    Fake a = endpoint("a");
    clock.call(a, 200);
    for (int i = 0; i < 100; i++) { // 20 ms samples, 100 ms apart, for 10 s = the decay
      clock.advanceMs(80);
      clock.call(a, 20);
    }
    double expected = 20 + 180 * Math.exp(-1); // 86.2 ms: e-folded toward the samples in one decay time
    assertEquals(expected, a.load().rttEstimateNanos() / 1e6, 0.5);
    for (int i = 0; i < 500; i++) { // 50 s more: settled on the samples
      clock.advanceMs(80);
      clock.call(a, 20);
    }
    assertEquals(20.0, a.load().rttEstimateNanos() / 1e6, 0.5);

    Fake idle = endpoint("idle");
    clock.call(idle, 200);
    clock.advanceMs(10_000);
    assertEquals(200 * Math.exp(-1), idle.load().rttEstimateNanos() / 1e6, 0.01,
        "left alone it decays toward 0, as Finagle and tower do on read, so a slow endpoint is tried again");
  }

  @Test
  void peakEwmaStartsAtTheInitialRttAndPenalisesAnEndpointWithCallsOutAndNoReplyYet() {
    List<Fake> ab = endpoints("a", "b");
    Fake fresh = ab.get(0);
    assertEquals(30.0, fresh.load().cost() / 1e6, 1e-9, "the initial RTT (--ewma-initial-rtt-ms)");
    fresh.load().callStarted();
    assertTrue(fresh.load().cost() >= EndpointLoad.PENALTY, "Finagle's penalty: " + fresh.load().cost());
    Fake known = ab.get(1);
    clock.call(known, 500);
    startCalls(known, 50); // 25.5 s of estimated work still beats an endpoint never heard from
    assertSame(known, new PeakEwmaPicker<>(ab, script(0, 0)).pick());
  }
}
