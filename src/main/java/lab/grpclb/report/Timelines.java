package lab.grpclb.report;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import lab.grpclb.experiment.ExperimentReport;

/** What a run's per-second timeline shows: when pods first got traffic, which pods served a window. */
final class Timelines {
  private Timelines() {
  }

  /** The first second at or after {@code from} in which a pod outside {@code known} replied, or -1. */
  static int firstNewPod(MeasuredRun run, Set<String> known, int from) {
    for (ExperimentReport.Second second : run.report().timeline()) {
      if (second.second() >= from && second.countPerIp().keySet().stream().anyMatch(ip -> !known.contains(ip))) {
        return second.second();
      }
    }
    return -1;
  }

  /** The pods that replied in seconds [from, to). */
  static Set<String> podsBetween(MeasuredRun run, int from, int to) {
    Set<String> ips = new TreeSet<>(MeasuredRun.IP_ORDER);
    run.report().timeline().stream().filter(s -> s.second() >= from && s.second() < to)
        .forEach(s -> ips.addAll(s.countPerIp().keySet()));
    return ips;
  }

  /** The busiest pod's share of the replies in seconds [from, to), in %. */
  static double busiestShare(MeasuredRun run, int from, int to) {
    Map<String, Integer> counts = new java.util.HashMap<>();
    run.report().timeline().stream().filter(s -> s.second() >= from && s.second() < to)
        .forEach(s -> s.countPerIp().forEach((ip, c) -> counts.merge(ip, c, Integer::sum)));
    int total = counts.values().stream().mapToInt(Integer::intValue).sum();
    return total == 0 ? 0 : 100.0 * counts.values().stream().mapToInt(Integer::intValue).max().orElse(0) / total;
  }

  static int seconds(MeasuredRun run) {
    List<ExperimentReport.Second> timeline = run.report().timeline();
    return timeline.isEmpty() ? 0 : timeline.get(timeline.size() - 1).second() + 1;
  }
}
