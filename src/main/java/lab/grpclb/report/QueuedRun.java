package lab.grpclb.report;

import java.util.Map;
import java.util.TreeMap;
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

  /** Failed calls, and by gRPC status, most first: "12 (RESOURCE_EXHAUSTED 10, DEADLINE_EXCEEDED 2)". */
  String failed() {
    if (run.failed() == 0) {
      return "0";
    }
    Map<String, Integer> byStatus = new TreeMap<>();
    run.report().outcome().errors().forEach((reason, count) ->
        byStatus.merge(reason.replaceFirst(":.*", ""), count, Integer::sum));
    return Numbers.count(run.failed()) + " (" + byStatus.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .map(e -> e.getKey() + " " + Numbers.count(e.getValue())).collect(Collectors.joining(", ")) + ")";
  }
}
