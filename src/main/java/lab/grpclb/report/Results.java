package lab.grpclb.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything the report measured, in the order it ran; filled by {@link Writeup}, read by the renderers. */
final class Results {
  final ReportOptions options;
  /** GET /cluster once the cluster runs the write-up's 3 replicas, before any experiment. */
  ClusterView clusterAtStart;
  final List<MeasuredRun> warmups = new ArrayList<>();
  /** type -> n -> run, for sections 1 and 2. */
  final Map<String, Map<Integer, MeasuredRun>> timings = new LinkedHashMap<>();
  final List<Step> steps = new ArrayList<>();
  /** type -> its open-loop run at the report's steady rate. */
  final Map<String, MeasuredRun> steady = new LinkedHashMap<>();
  long elapsedNanos;

  Results(ReportOptions options) {
    this.options = options;
  }

  MeasuredRun timing(String type, int n) {
    return timings.getOrDefault(type, Map.of()).get(n);
  }

  void addTiming(MeasuredRun run) {
    timings.computeIfAbsent(run.type(), t -> new LinkedHashMap<>()).put(run.n(), run);
  }

  Step step(Step.Kind kind) {
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
