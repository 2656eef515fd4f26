package lab.grpclb.server;

/**
 * A pod's load now and over its recent window ({@link #WINDOW_SECONDS} s), as an ORCA load report (gRFC A51)
 * carries it: {@code utilization} or {@code meanUtilization} for cpu_utilization / application_utilization,
 * {@code rps} for rps_fractional and {@code eps} for eps. Built from fields the pod keeps up to date, so reading one
 * costs a few volatile reads and no computation.
 *
 * @param inService       calls being served now; with unlimited capacity, every call in flight
 * @param capacity        calls it serves at once; 0 for unlimited
 * @param queueLength     calls waiting for a slot now
 * @param queueWaitP99Ms  the 99th percentile of the time calls waited before their service, over the window (calls
 *                        served at once count as 0); 0 with unlimited capacity, where no call waits
 * @param utilization     inService / capacity now, from 0 to 1. With unlimited capacity it is 0: in / infinity, and
 *                        honest in that no load makes such a pod busier or slower; a consumer must not read it as idle
 *                        (weighted round robin then falls back to equal weights, as for a pod without reports)
 * @param meanUtilization the same averaged over the window (the rho of queueing theory, lambda / (c mu)); 0 unlimited
 * @param refused         calls refused (RESOURCE_EXHAUSTED, queue full) since the pod started
 * @param rps             calls answered per second over the window, OK or not (A51's rps_fractional counts every
 *                        request, so eps / rps is the share that failed)
 * @param eps             of those, calls answered with an error per second: refused, or failed on purpose
 */
public record ServerLoad(int inService, int capacity, int queueLength, double queueWaitP99Ms, double utilization,
                         double meanUtilization, long refused, double rps, double eps) {
  /** The window the rates, the mean utilization and the p99 cover. */
  public static final int WINDOW_SECONDS = LoadWindow.SECONDS;

  public boolean unlimited() {
    return capacity == 0;
  }
}
