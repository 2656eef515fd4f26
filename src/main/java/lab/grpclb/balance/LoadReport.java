package lab.grpclb.balance;

/**
 * What a pod says of its own load (gRFC A51, ORCA's {@code xds.data.orca.v3.OrcaLoadReport}): per call in the
 * {@code endpoint-load-metrics-bin} trailer, or out of band on {@code OpenRcaService/StreamCoreMetrics}.
 * Utilizations are fractions (1.0: busy all the time); {@code rpsFractional} and {@code eps} are the queries and
 * errors per second it served. weighted_round_robin (gRFC A58) weighs endpoints by them.
 */
public record LoadReport(double cpuUtilization, double applicationUtilization, double rpsFractional, double eps) {

  /** A58's utilization: the application's when it reports one, else the CPU's. */
  public double utilization() {
    return applicationUtilization > 0 ? applicationUtilization : cpuUtilization;
  }
}
