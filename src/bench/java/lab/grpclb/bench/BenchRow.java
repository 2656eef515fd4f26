package lab.grpclb.bench;

import java.time.Duration;
import java.util.List;
import lab.grpclb.experiment.ExperimentReport;

/**
 * One table row: a client type under one load, measured (its runs' reports, and the CPU the servers and its
 * client JVM used over those runs) or not ({@code na} says why).
 */
record BenchRow(String type, BenchLoad load, String na, List<ExperimentReport> reports, Duration serverCpu,
                Duration clientCpu, long clientHwmKb) {

  static BenchRow na(String type, BenchLoad load, String why) {
    return new BenchRow(type, load, why, List.of(), Duration.ZERO, Duration.ZERO, -1);
  }

  boolean measured() {
    return na == null;
  }

  /** The median run by elapsed time, carrying every run's elapsed and p99. */
  ExperimentReport median() {
    return ExperimentReport.median(reports);
  }

  long ok() {
    return reports.stream().mapToLong(ExperimentReport::ok).sum();
  }

  long failed() {
    return reports.stream().mapToLong(ExperimentReport::failed).sum();
  }

  /** The client JVM's CPU per call that succeeded, in µs; NaN when none did. */
  double clientMicrosPerCall() {
    return perCall(clientCpu);
  }

  double serverMicrosPerCall() {
    return perCall(serverCpu);
  }

  private double perCall(Duration cpu) {
    return ok() == 0 ? Double.NaN : cpu.toNanos() / 1e3 / ok();
  }
}
