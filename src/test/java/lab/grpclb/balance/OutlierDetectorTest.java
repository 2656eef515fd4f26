package lab.grpclb.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import lab.grpclb.config.OutlierEjection;
import org.junit.jupiter.api.Test;

/** gRFC A50's failure-percentage arithmetic on fake endpoints and a fake clock (sweeps every 10 s). */
class OutlierDetectorTest {
  static final long SECOND = 1_000_000_000L;
  final OutlierDetector detector = new OutlierDetector(OutlierEjection.OFF.on()); // A50's defaults
  long now;

  static List<OutlierTracker> trackers(int count) {
    List<OutlierTracker> list = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      list.add(new OutlierTracker());
    }
    return list;
  }

  static void calls(OutlierTracker tracker, int ok, int failed) {
    for (int i = 0; i < ok; i++) {
      tracker.callEnded(true);
    }
    for (int i = 0; i < failed; i++) {
      tracker.callEnded(false);
    }
  }

  /** One interval of traffic: 100 calls each, {@code failing} of them failing 90 %; then the sweep. */
  boolean interval(List<OutlierTracker> all, List<OutlierTracker> failing) {
    for (OutlierTracker tracker : all) {
      if (failing.contains(tracker)) {
        calls(tracker, 10, 90);
      } else {
        calls(tracker, 100, 0);
      }
    }
    now += 10 * SECOND;
    return detector.sweep(all, now);
  }

  static long ejected(List<OutlierTracker> all) {
    return all.stream().filter(OutlierTracker::ejected).count();
  }

  @Test
  void anEndpointFailingAboveTheThresholdIsEjectedAndOnlyIt() {
    List<OutlierTracker> all = trackers(5);
    calls(all.get(0), 15, 85); // exactly 85 %: not above the threshold
    calls(all.get(1), 14, 86);
    all.subList(2, 5).forEach(t -> calls(t, 100, 0));
    now += 10 * SECOND;
    assertTrue(detector.sweep(all, now));
    assertFalse(all.get(0).ejected(), "85 % is not above 85 %");
    assertTrue(all.get(1).ejected());
    assertEquals(1, ejected(all));
    assertEquals(now, all.get(1).ejectedAtNanos(), "stamped with the sweep's time");
  }

  @Test
  void nothingIsEjectedUnlessEnoughEndpointsHadTheRequestVolume() {
    List<OutlierTracker> all = trackers(5);
    calls(all.get(0), 0, 100);
    all.subList(1, 4).forEach(t -> calls(t, 100, 0));
    calls(all.get(4), 49, 0); // one call short of the request volume: 4 hosts < 5
    now += 10 * SECOND;
    assertFalse(detector.sweep(all, now));
    assertEquals(0, ejected(all));
    all.subList(0, 4).forEach(t -> calls(t, 0, 100));
    calls(all.get(4), 50, 0);
    now += 10 * SECOND;
    assertTrue(detector.sweep(all, now), "five with volume now");
  }

  @Test
  void atMostMaxEjectionPercentAreOutButAlwaysOne() {
    List<OutlierTracker> five = trackers(5);
    interval(five, five.subList(0, 3));
    assertEquals(1, ejected(five), "10 % of 5 rounds to none: one anyway");
    interval(five, five.subList(0, 3));
    assertEquals(1, ejected(five), "no second one while 20 % are out");

    List<OutlierTracker> twenty = trackers(20);
    interval(twenty, twenty.subList(0, 5));
    assertEquals(2, ejected(twenty), "10 % of 20");
  }

  @Test
  void anEjectedEndpointReturnsAfterBaseTimesItsEjectionsAndItsMultiplierDecaysInService() {
    List<OutlierTracker> all = trackers(5);
    OutlierTracker bad = all.get(0);
    interval(all, List.of(bad)); // t = 10 s: ejected for 30 s x 1
    long firstEjection = now;
    assertTrue(bad.ejected());
    assertEquals(1, bad.multiplier());
    assertEquals(firstEjection + 30 * SECOND, detector.returnsAtNanos(bad));
    interval(all, List.of()); // 20 s: it gets no calls while out
    interval(all, List.of()); // 30 s
    assertTrue(bad.ejected());
    assertTrue(interval(all, List.of()), "40 s: 30 s have passed");
    assertFalse(bad.ejected());
    assertEquals(1, bad.multiplier(), "not lowered in the sweep that returns it");

    interval(all, List.of(bad)); // 50 s: failing again, ejected for 30 s x 2
    assertTrue(bad.ejected());
    assertEquals(2, bad.multiplier());
    assertEquals(now + 60 * SECOND, detector.returnsAtNanos(bad));
    for (int i = 0; i < 5; i++) {
      interval(all, List.of());
      assertTrue(bad.ejected(), "sweep " + i + " of the 60 s");
    }
    interval(all, List.of()); // 60 s later
    assertFalse(bad.ejected());
    interval(all, List.of());
    assertEquals(1, bad.multiplier(), "one interval in service takes one off");
    interval(all, List.of());
    assertEquals(0, bad.multiplier());
  }

  @Test
  void theEjectionTimeIsCappedAtTheMaximum() {
    OutlierTracker tracker = new OutlierTracker();
    for (int i = 0; i < 11; i++) {
      tracker.eject(0);
    }
    assertEquals(300 * SECOND, detector.ejectionNanos(tracker), "30 s x 11 capped at 300 s");
  }

  @Test
  void eachSweepJudgesOnlyTheIntervalJustEnded() {
    List<OutlierTracker> all = trackers(5);
    interval(all, List.of()); // everyone healthy
    calls(all.get(0), 0, 100); // then one fails every call: judged alone, not diluted by the 100 good ones before
    all.subList(1, 5).forEach(t -> calls(t, 100, 0));
    assertEquals(0, ejected(all), "nothing happens between sweeps");
    now += 10 * SECOND;
    assertTrue(detector.sweep(all, now));
    assertTrue(all.get(0).ejected());

    List<OutlierTracker> quiet = trackers(5);
    quiet.forEach(t -> calls(t, 0, 100));
    now += 10 * SECOND;
    detector.sweep(quiet, now);
    assertEquals(1, ejected(quiet));
    now += 10 * SECOND;
    assertFalse(detector.sweep(quiet, now), "no calls since: the swapped-in bucket is empty, nothing has the volume");
    assertEquals(0, quiet.get(1).volume());
  }
}
