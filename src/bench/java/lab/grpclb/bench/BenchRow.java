package lab.grpclb.bench;

import java.time.Duration;
import java.util.List;
import lab.grpclb.experiment.ExperimentReport;

/**
 * One table row: a client type under one load, measured (its runs' reports, and the CPU the servers and its
 * client JVM used over those runs, in all and run by run in {@code runCpu}, in the reports' order) or not
 * ({@code na} says why).
 */
record BenchRow(String type, BenchLoad load, String na, List<ExperimentReport> reports, Duration serverCpu,
                Duration clientCpu, long clientHwmKb, List<RunCpu> runCpu) {

  /** One run's CPU time (and the pause after it): the client JVM's and the servers'. */
  record RunCpu(Duration client, Duration server) {
  }

  /** A row whose runs' CPU is known only in all. */
  BenchRow(String type, BenchLoad load, String na, List<ExperimentReport> reports, Duration serverCpu, Duration clientCpu,
           long clientHwmKb) {
    this(type, load, na, reports, serverCpu, clientCpu, clientHwmKb, List.of());
  }

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
