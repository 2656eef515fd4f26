package lab.grpclb.server;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code --work cpu}: a call's service time burnt as real CPU on a pool of {@code c} daemon threads, counted in the
 * burning thread's own CPU time, so that on a machine with fewer free cores than burning calls a call takes longer
 * than its service time in wall time: saturation that is not simulated. Its {@link ServiceQueue} never has more than
 * {@code c} calls in service, so the pool's own queue holds at most a call whose slot was freed by a cancel while its
 * burn still stops. A burn checks its stop flag and its deadline between slices of a few microseconds, and the
 * outcome goes back to the pod's event loop, which never burns nor waits.
 *
 * <p>{@link #serve} and {@link #stop} run on the pod's event loop only; {@link #close} on any thread.
 */
final class CpuWork implements ServiceWork {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  /** Arithmetic steps between two looks at the clocks and the stop flag: a few microseconds. */
  private static final int SLICE = 4_096;
  /** Idle threads end after this long: a pod given a large c and then left idle keeps no threads. */
  private static final long IDLE_SECONDS = 30;
  private static volatile long sink; // keeps the JIT from removing the burn

  private final ThreadPoolExecutor pool;
  private final Map<Long, Burn> burning = new HashMap<>();
  private long nextId;

  /** A pool of {@code threads} for the pod at {@code podIp}, its threads named after it. */
  CpuWork(String podIp, int threads) {
    if (!THREADS.isCurrentThreadCpuTimeSupported()) {
      throw new IllegalStateException("--work cpu needs a JVM that measures a thread's CPU time, and this one does not");
    }
    if (!THREADS.isThreadCpuTimeEnabled()) {
      THREADS.setThreadCpuTimeEnabled(true);
    }
    AtomicInteger count = new AtomicInteger();
    pool = new ThreadPoolExecutor(threads, threads, IDLE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), run -> {
      Thread thread = new Thread(run, "cpu-work-" + podIp + "-" + count.incrementAndGet());
      thread.setDaemon(true); // a pod that is never stopped must not keep the JVM alive
      return thread;
    });
    pool.allowCoreThreadTimeOut(true);
  }

  /** {@code c} threads from now on: burns in progress finish, a smaller pool shrinks as its threads fall idle. */
  void resize(int threads) {
    if (threads > pool.getMaximumPoolSize()) {
      pool.setMaximumPoolSize(threads);
      pool.setCorePoolSize(threads);
    } else {
      pool.setCorePoolSize(threads);
      pool.setMaximumPoolSize(threads);
    }
  }

  @Override
  public long serve(long serviceNanos, long untilDeadlineNanos, Ending ending) {
    Context loop = Objects.requireNonNull(Vertx.currentContext(), "a pod's calls are served on its event loop");
    long id = nextId++;
    Burn burn = new Burn(serviceNanos, untilDeadlineNanos, System.nanoTime());
    burning.put(id, burn);
    try {
      pool.execute(() -> {
        BurnEnd outcome = burn.run();
        loop.runOnContext(v -> ended(id, outcome, ending));
      });
    } catch (RejectedExecutionException stopped) {
      burning.remove(id); // the pod has stopped: its connections and this call are closed already
    }
    return id;
  }

  private void ended(long id, BurnEnd outcome, Ending ending) {
    if (burning.remove(id) != null && outcome != BurnEnd.STOPPED) {
      ending.serviceEnded(outcome == BurnEnd.SERVED);
    }
  }

  @Override
  public void stop(long id) {
    Burn burn = burning.remove(id);
    if (burn != null) {
      burn.stopped = true;
    }
  }

  /** The pod stopped: burns in progress stop (their threads are interrupted) and no new one starts. */
  void close() {
    pool.shutdownNow();
  }

  /** How a burn ended. */
  enum BurnEnd { SERVED, PAST_DEADLINE, STOPPED }

  /** One call's burn: its CPU time to spend, and the wall time it may take at most. */
  private static final class Burn {
    private final long serviceNanos;
    private final long untilDeadlineNanos;
    private final long sentNanos;
    private volatile boolean stopped;

    Burn(long serviceNanos, long untilDeadlineNanos, long sentNanos) {
      this.serviceNanos = serviceNanos;
      this.untilDeadlineNanos = untilDeadlineNanos;
      this.sentNanos = sentNanos;
    }

    /**
     * Burns until this thread has spent the service time in CPU, or the deadline (counted from when the call entered
     * service, its wait in the pool's queue included) has passed, or it is stopped.
     */
    BurnEnd run() {
      long cpuAtStart = THREADS.getCurrentThreadCpuTime();
      long x = cpuAtStart | 1;
      while (!stopped && !Thread.currentThread().isInterrupted()) {
        if (System.nanoTime() - sentNanos >= untilDeadlineNanos) {
          return BurnEnd.PAST_DEADLINE;
        }
        if (THREADS.getCurrentThreadCpuTime() - cpuAtStart >= serviceNanos) {
          sink = x;
          return BurnEnd.SERVED;
        }
        for (int i = 0; i < SLICE; i++) { // xorshift: work the JIT cannot fold away
          x ^= x << 13;
          x ^= x >>> 7;
          x ^= x << 17;
        }
      }
      sink = x;
      return BurnEnd.STOPPED;
    }
  }
}
