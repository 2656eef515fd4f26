package lab.grpclb.experiment;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.IntCountsHistogram;

/**
 * What an experiment has done so far, for a live view: its calls in flight, replies and failures per pod, and
 * the seconds of its timeline from a cursor on. Built from one small copy of each firer's tally, taken on that
 * firer's event loop ({@link ExperimentRunner#progress}).
 *
 * @param run the run's number in this client, so a viewer knows a new run from the same one
 * @param ended every call has ended: the counts are final
 * @param perIp per pod IP, the replies and failures so far
 * @param seconds the run's seconds from the asked cursor up to the last whole one (all of them once ended)
 * @param elapsedMs how long the run has taken so far (its whole length once ended)
 * @param leftMs about how long until its last call ends: 0 once ended, null while nothing can tell (no call of a
 *               burst or closed loop has ended yet)
 */
public record RunProgress(long run, String type, int n, boolean ended, int inFlight, int ok, int failed,
                          Map<String, PodCalls> perIp, List<LiveSecond> seconds, long elapsedMs, Long leftMs) {

  /** Calls ended so far, replied or failed: out of {@link #n}. */
  public int done() {
    return ok + failed;
  }

  /**
   * About how long a run has left. An open loop's length is its schedule (n calls at its rate), whatever the replies
   * do; a burst or a closed loop ends when its calls do, so the rate they ended at so far is carried to the rest.
   */
  static Long leftMs(LoadShape shape, int n, int done, long elapsedMs, boolean ended) {
    if (ended) {
      return 0L;
    }
    if (shape instanceof LoadShape.OpenLoop open) {
      return Math.max(0, Math.round(n * 1000 / open.ratePerS()) - elapsedMs);
    }
    if (done == 0) {
      return null;
    }
    return Math.round((double) (n - done) * elapsedMs / done);
  }

  /** Replies and failures at one pod. */
  public record PodCalls(int ok, int errors) {
  }

  /** The calls that ended in one second of the run, and their p50 and p99 latency. */
  public record LiveSecond(int index, int completed, int failed, Map<String, Integer> okPerIp, long p50Ms, long p99Ms) {
  }

  /** One firer's share: a copy of its tally's counts and of the asked seconds, safe to read on any thread. */
  record Part(int ok, int failed, Map<String, PodCalls> perIp, List<RunTally.SecondTally> seconds) {

    /** Copies seconds [from, upTo) of the tally; called on the tally's own event loop only. */
    static Part of(RunTally tally, int from, int upTo) {
      Map<String, PodCalls> perIp = new HashMap<>();
      tally.endpoints.forEach((ip, e) -> perIp.put(ip, new PodCalls(e.ok, e.errors)));
      List<RunTally.SecondTally> seconds = new ArrayList<>();
      for (int i = from; i < Math.min(upTo, tally.seconds.size()); i++) {
        seconds.add(add(new RunTally.SecondTally(), tally.seconds.get(i)));
      }
      return new Part(tally.ok, tally.failed, perIp, seconds);
    }
  }

  /** The parts summed; {@code from} is the index of each part's first second. */
  static RunProgress merge(long run, ExperimentPlan experiment, boolean ended, int inFlight, int from, long elapsedMs,
                           List<Part> parts) {
    int ok = 0;
    int failed = 0;
    Map<String, PodCalls> perIp = new HashMap<>();
    List<RunTally.SecondTally> sums = new ArrayList<>();
    for (Part part : parts) {
      ok += part.ok();
      failed += part.failed();
      part.perIp().forEach((ip, c) -> perIp.merge(ip, c, (a, b) -> new PodCalls(a.ok() + b.ok(), a.errors() + b.errors())));
      for (int i = 0; i < part.seconds().size(); i++) {
        if (sums.size() <= i) {
          sums.add(new RunTally.SecondTally());
        }
        add(sums.get(i), part.seconds().get(i));
      }
    }
    List<LiveSecond> seconds = new ArrayList<>();
    for (int i = 0; i < sums.size(); i++) {
      RunTally.SecondTally sum = sums.get(i);
      Map<String, Integer> okPerIp = new HashMap<>();
      sum.okPerIp.forEach((ip, c) -> okPerIp.put(ip, c[0]));
      IntCountsHistogram latency = sum.latencyMillis;
      seconds.add(new LiveSecond(from + i, sum.completed, sum.failed, okPerIp,
          latency.getValueAtPercentile(50), latency.getValueAtPercentile(99)));
    }
    return new RunProgress(run, experiment.type(), experiment.n(), ended, inFlight, ok, failed, perIp, seconds,
        elapsedMs, leftMs(experiment.shape(), experiment.n(), ok + failed, elapsedMs, ended));
  }

  private static RunTally.SecondTally add(RunTally.SecondTally to, RunTally.SecondTally from) {
    to.completed += from.completed;
    to.failed += from.failed;
    to.latencyMillis.add(from.latencyMillis);
    from.okPerIp.forEach((ip, c) -> to.okPerIp.computeIfAbsent(ip, k -> new int[1])[0] += c[0]);
    return to;
  }
}
