package lab.grpclb.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import lab.grpclb.experiment.ExperimentReport;

/** The dashboard's measures of a row, one value per run (in the reports' order), for a {@link RunSpread}. */
final class DashboardMetrics {
  private DashboardMetrics() {
  }

  static List<Double> perRun(BenchRow row, ToDoubleFunction<ExperimentReport> measure) {
    return row.reports().stream().map(r -> measure.applyAsDouble(r)).toList();
  }

  /** Latency percentiles in µs: the reports give ms to the µs. */
  static List<Double> p50Micros(BenchRow row) {
    return perRun(row, r -> r.latency().p50() * 1000);
  }

  static List<Double> p99Micros(BenchRow row) {
    return perRun(row, r -> r.latency().p99() * 1000);
  }

  static List<Double> p999Micros(BenchRow row) {
    return perRun(row, r -> r.latency().p999() * 1000);
  }

  static List<Double> elapsedMs(BenchRow row) {
    return perRun(row, ExperimentReport::elapsedMs);
  }

  /** Calls ended per second of the run (an open loop's too: what it got through, not what it was asked). */
  static List<Double> callsPerS(BenchRow row) {
    return perRun(row, ExperimentReport::throughputPerS);
  }

  /** The rate an open loop sent at; NaN for other loads. */
  static List<Double> sentPerS(BenchRow row) {
    return perRun(row, r -> r.pacing() == null ? Double.NaN : r.pacing().achievedPerS());
  }

  /** Calls that succeeded per CPU-second of the client JVM (the run and the pause after it). */
  static List<Double> callsPerClientCpuS(BenchRow row) {
    return perCpu(row, true, (ok, cpuS) -> cpuS <= 0 ? Double.NaN : ok / cpuS);
  }

  static List<Double> clientMicrosPerCall(BenchRow row) {
    return perCpu(row, true, (ok, cpuS) -> ok == 0 ? Double.NaN : cpuS * 1e6 / ok);
  }

  static List<Double> serverMicrosPerCall(BenchRow row) {
    return perCpu(row, false, (ok, cpuS) -> ok == 0 ? Double.NaN : cpuS * 1e6 / ok);
  }

  static List<Double> callsPerServerCpuS(BenchRow row) {
    return perCpu(row, false, (ok, cpuS) -> cpuS <= 0 ? Double.NaN : ok / cpuS);
  }

  private interface PerCpu {
    double of(long ok, double cpuS);
  }

  /** Per run, from its own CPU reading; a row without them (the rows of before) gives its total over its calls. */
  private static List<Double> perCpu(BenchRow row, boolean client, PerCpu measure) {
    List<Double> values = new ArrayList<>();
    if (row.runCpu().size() != row.reports().size()) {
      double cpuS = (client ? row.clientCpu() : row.serverCpu()).toNanos() / 1e9;
      return List.of(measure.of(row.ok(), cpuS));
    }
    for (int i = 0; i < row.reports().size(); i++) {
      BenchRow.RunCpu cpu = row.runCpu().get(i);
      values.add(measure.of(row.reports().get(i).ok(), (client ? cpu.client() : cpu.server()).toNanos() / 1e9));
    }
    return values;
  }
}
