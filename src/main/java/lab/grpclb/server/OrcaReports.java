package lab.grpclb.server;

import java.util.Base64;
import java.util.function.Supplier;
import orca.data.v3.OrcaLoadReport;

/**
 * A pod's load as ORCA reports it (gRFC A51), from its {@link ServerLoad}: {@code application_utilization} is the
 * capacity model's busy share over the load window (0 with unlimited capacity, where no load makes a pod busier),
 * {@code cpu_utilization} this process's CPU ({@link ProcessCpu}; in local mode every pod shares it, so a weighted
 * round robin over unlimited pods weighs them by their rate alone, equally), {@code rps_fractional} and {@code eps}
 * the window's rates. The per-call trailer's bytes are made at most every {@link #REFRESH_MS} ms, not per call: the
 * numbers move by the second.
 */
final class OrcaReports {
  static final String TRAILER = "endpoint-load-metrics-bin";
  static final long REFRESH_MS = 100;

  private final Supplier<ServerLoad> load;
  private volatile String trailer;
  private volatile long trailerNanos;

  OrcaReports(Supplier<ServerLoad> load) {
    this.load = load;
  }

  OrcaLoadReport report() {
    ServerLoad now = load.get();
    return OrcaLoadReport.newBuilder()
        .setCpuUtilization(ProcessCpu.load())
        .setApplicationUtilization(now.meanUtilization())
        .setRpsFractional(now.rps())
        .setEps(now.eps())
        .build();
  }

  /** The report as the {@code endpoint-load-metrics-bin} trailer carries it: base64, unpadded, as gRPC sends it. */
  String trailer() {
    long now = System.nanoTime();
    String made = trailer;
    if (made == null || now - trailerNanos > REFRESH_MS * 1_000_000) {
      made = Base64.getEncoder().withoutPadding().encodeToString(report().toByteArray());
      trailer = made;
      trailerNanos = now;
    }
    return made;
  }
}
