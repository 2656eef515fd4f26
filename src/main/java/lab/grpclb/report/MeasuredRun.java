package lab.grpclb.report;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import lab.grpclb.experiment.ExperimentReport;
import lab.grpclb.experiment.GoDuration;
import lab.grpclb.experiment.Range;

/**
 * One experiment's report as the client's HTTP API answered it, with the views the report's sentences need (pods in
 * IP order, shares, the top error).
 */
record MeasuredRun(ExperimentReport report) {
  /** IPv4 addresses in numeric order, so 127.0.0.10 comes after 127.0.0.9. */
  static final Comparator<String> IP_ORDER = Comparator.comparingLong(MeasuredRun::ipValue)
      .thenComparing(Comparator.naturalOrder());

  String type() {
    return report.experiment().type();
  }

  int n() {
    return report.experiment().n();
  }

  /** The median run's time as Go prints a duration, the write-up's format. */
  String time() {
    return GoDuration.format(report.elapsedNanos());
  }

  double elapsedMs() {
    return report.elapsedMs();
  }

  /** The elapsed time over the repeated runs (min-max), or this run's alone. */
  Range elapsed() {
    return report.elapsedRange();
  }

  int runs() {
    return report.runs() == null ? 1 : report.runs().elapsedMs().size();
  }

  int ok() {
    return report.ok();
  }

  int failed() {
    return report.failed();
  }

  long retried() {
    return report.channel().retried().total();
  }

  ExperimentReport.Latency latency() {
    return report.latency();
  }

  Map<String, Integer> countPerIp() {
    Map<String, Integer> counts = new TreeMap<>(IP_ORDER);
    counts.putAll(report.countPerIp());
    return counts;
  }

  /** The replies per pod in IP order, as "334/333/333". */
  String shares() {
    return countPerIp().values().stream().map(String::valueOf).collect(Collectors.joining("/"));
  }

  int count(String ip) {
    return report.countPerIp().getOrDefault(ip, 0);
  }

  int largestShare() {
    return report.countPerIp().values().stream().mapToInt(Integer::intValue).max().orElse(0);
  }

  int smallestShare() {
    return report.countPerIp().values().stream().mapToInt(Integer::intValue).min().orElse(0);
  }

  List<String> endpointsAtStart() {
    return report.channel().endpointsAtStart();
  }

  List<String> endpointsAtEnd() {
    return report.channel().endpointsAtEnd();
  }

  /** Failed calls by gRPC status (a reason's part before its colon). */
  Map<String, Integer> failedByStatus() {
    Map<String, Integer> byStatus = new TreeMap<>();
    report.outcome().errors().forEach((reason, count) ->
        byStatus.merge(reason.replaceFirst(":.*", ""), count, Integer::sum));
    return byStatus;
  }

  /** Failed calls, and by gRPC status, most first: "12 (RESOURCE_EXHAUSTED 10, DEADLINE_EXCEEDED 2)"; or "0". */
  String failures() {
    if (failed() == 0) {
      return "0";
    }
    return Numbers.count(failed()) + " (" + failedByStatus().entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .map(e -> e.getKey() + " " + Numbers.count(e.getValue())).collect(Collectors.joining(", ")) + ")";
  }

  /** The most frequent failure reason, or null when none failed. */
  String topError() {
    return report.outcome().errors().entrySet().stream().max(Map.Entry.comparingByValue())
        .map(e -> e.getKey() + " (" + e.getValue() + ")").orElse(null);
  }

  private static long ipValue(String ip) {
    long value = 0;
    for (String part : ip.split("[.:]")) {
      try {
        value = value * 256 + Integer.parseInt(part);
      } catch (NumberFormatException e) {
        return Long.MAX_VALUE;
      }
    }
    return value;
  }
}
