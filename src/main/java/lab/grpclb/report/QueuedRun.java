package lab.grpclb.report;

import java.util.Map;
import java.util.stream.Collectors;

/** A run and the longest queue each pod had during it (over all its repeats), by pod IP. */
record QueuedRun(MeasuredRun run, Map<String, Integer> longestQueue) {

  /** The longest queues in pod IP order, as "0/3/41". */
  String queues() {
    return longestQueue.entrySet().stream().sorted(Map.Entry.comparingByKey(MeasuredRun.IP_ORDER))
        .map(e -> String.valueOf(e.getValue())).collect(Collectors.joining("/"));
  }

  int longest() {
    return longestQueue.values().stream().mapToInt(Integer::intValue).max().orElse(0);
  }
}
