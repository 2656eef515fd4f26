package lab.grpclb.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the write-up's experiments measured, in the order they ran: {@link Writeup} builds it once its last step has
 * ended, and its Markdown, summary, findings and charts read it.
 *
 * @param clusterAtStart GET /cluster once the cluster runs the write-up's 3 replicas, before any experiment
 * @param timings        type -> n -> run, for sections 1 and 2
 * @param steps          section 3's steps, in order
 * @param steady         type -> its open-loop run at the report's steady rate (section 4)
 */
record WriteupRuns(ReportOptions options, ClusterView clusterAtStart, List<MeasuredRun> warmups,
                   Map<String, Map<Integer, MeasuredRun>> timings, List<Step> steps, Map<String, MeasuredRun> steady,
                   long elapsedNanos) {
  WriteupRuns {
    warmups = List.copyOf(warmups);
    steps = List.copyOf(steps);
    steady = Collections.unmodifiableMap(new LinkedHashMap<>(steady));
    timings = Collections.unmodifiableMap(new LinkedHashMap<>(timings));
  }

  /** The timing runs by type, then n, in the order they ran; a later run of the same point replaces an earlier. */
  static Map<String, Map<Integer, MeasuredRun>> byTypeAndN(List<MeasuredRun> runs) {
    Map<String, Map<Integer, MeasuredRun>> timings = new LinkedHashMap<>();
    runs.forEach(run -> timings.computeIfAbsent(run.type(), t -> new LinkedHashMap<>()).put(run.n(), run));
    timings.replaceAll((type, byN) -> Collections.unmodifiableMap(byN));
    return timings;
  }

  MeasuredRun timing(String type, int n) {
    return timings.getOrDefault(type, Map.of()).get(n);
  }

  Step step(Step.ScalingStep kind) {
    return steps.stream().filter(step -> step.kind() == kind).findFirst().orElse(null);
  }

  /** The pods' reply delay, as GET /cluster reported it. */
  int delayMs() {
    return clusterAtStart.delayMs();
  }

  List<String> podIps() {
    return clusterAtStart.ips();
  }

  /** The largest n of the timing tables: the one the summary's answer rests on. */
  int largestN() {
    return options.ns().stream().mapToInt(Integer::intValue).max().orElse(0);
  }
}
