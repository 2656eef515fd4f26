package lab.grpclb.server;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * This process's CPU load for ORCA's {@code cpu_utilization}, read once a second on one daemon thread for the whole
 * JVM: the reading opens /proc files, which a pod's event loop must not do, and every pod in local mode shares the
 * one process anyway. Started by the first report that asks.
 */
final class ProcessCpu {
  private static final OperatingSystemMXBean OS = ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class);
  private static volatile double load;

  static {
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(run -> {
      Thread thread = new Thread(run, "process-cpu");
      thread.setDaemon(true);
      return thread;
    });
    sampler.scheduleAtFixedRate(() -> load = Math.max(0, OS.getProcessCpuLoad()), 0, 1, TimeUnit.SECONDS);
  }

  private ProcessCpu() {
  }

  /** The last reading, 0 to 1 (0 until the first: the JVM says negative while it cannot tell yet). */
  static double load() {
    return load;
  }
}
