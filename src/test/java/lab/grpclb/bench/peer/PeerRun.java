package lab.grpclb.bench.peer;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import lab.grpclb.bench.BenchLoad;
import lab.grpclb.client.Retries;
import lab.grpclb.experiment.ExperimentPlan;
import lab.grpclb.experiment.ExperimentReport;
import lab.grpclb.experiment.LoadShape;
import lab.grpclb.interop.GrpcJava;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One experiment on a grpc-java channel, sent as its load says (a burst fires every call at once, a closed loop
 * starts the next call as one ends, an open loop releases the calls due as our pacer does) and measured as ours
 * is: from the first call sent to the last call ended, latency from send to end in an HdrHistogram, the stop-the-world
 * GC time between. grpc-java's calls end on its own executor threads, hence the concurrent tallies.
 */
final class PeerRun {
  /** Per thread: closed-loop calls owed while it is inside {@link #fireNext}, or -1 when it is not. */
  private static final ThreadLocal<int[]> OWED = ThreadLocal.withInitial(() -> new int[] {-1});

  private final Channel channel;
  private final String type;
  private final BenchLoad load;
  private final long timeoutMs;
  private final List<String> endpoints;
  private final HelloRequest request;
  private final Recorder latencyMicros = new Recorder(3);
  private final Recorder lagMicros = new Recorder(3);
  private final Map<String, LongAdder> okPerIp = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicInteger ended = new AtomicInteger();
  private final AtomicLong firstSentNanos = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastSentNanos = new AtomicLong(Long.MIN_VALUE);
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile long endNanos;
  private long startNanos;

  PeerRun(Channel channel, String type, BenchLoad load, long timeoutMs, List<String> endpoints) {
    this.channel = channel;
    this.type = type;
    this.load = load;
    this.timeoutMs = timeoutMs;
    this.endpoints = endpoints;
    this.request = HelloRequest.newBuilder().setName(type).build();
  }

  /** Fires the calls and waits for all of them: each one ends by its deadline. */
  ExperimentReport run() throws InterruptedException {
    long gcBefore = gcMillis();
    startNanos = System.nanoTime();
    int n = load.n();
    if (load.shape() instanceof LoadShape.OpenLoop open) {
      pace(open);
    } else {
      int first = load.shape() instanceof LoadShape.ClosedLoop closed ? Math.min(closed.concurrency(), n) : n;
      next.set(first);
      for (int i = 0; i < first; i++) {
        fire(-1);
      }
    }
    done.await();
    return report(gcMillis() - gcBefore);
  }

  /**
   * The open loop's pacer, as ours paces: one timer thread wakes when the next call is due, but at most once per
   * {@link LoadShape.OpenLoop#PACER_GRAIN_NANOS}, and releases the calls whose slot has come, late ones first.
   */
  private void pace(LoadShape.OpenLoop open) throws InterruptedException {
    ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "peer-pacer"));
    double gapNanos = 1e9 / open.ratePerS();
    long[] nextDue = {startNanos};
    CountDownLatch sent = new CountDownLatch(1);
    Runnable release = new Runnable() {
      @Override
      public void run() {
        long now = System.nanoTime();
        while (next.get() < load.n() && nextDue[0] <= now) {
          next.incrementAndGet();
          fire(now - nextDue[0]);
          nextDue[0] += Math.round(open.arrival() == LoadShape.Arrival.POISSON
              ? -Math.log(1 - ThreadLocalRandom.current().nextDouble()) * gapNanos : gapNanos);
        }
        if (next.get() >= load.n()) {
          sent.countDown();
        } else {
          long wait = Math.max(LoadShape.OpenLoop.PACER_GRAIN_NANOS, nextDue[0] - System.nanoTime());
          pacer.schedule(this, wait, TimeUnit.NANOSECONDS);
        }
      }
    };
    pacer.execute(release);
    sent.await();
    pacer.shutdownNow();
  }

  /**
   * A closed loop's next call. A call that fails at once (nothing listens) ends inside its own send, on this
   * thread, and its successor would be sent from there: a call deeper per call, until the stack overflowed and
   * grpc-java lost calls (the run never ended). So a call owed while this thread is sending waits for the outer
   * send to return, which then sends it: a loop, not a recursion.
   */
  private void fireNext() {
    int[] owed = OWED.get();
    if (owed[0] >= 0) {
      owed[0]++;
      return;
    }
    owed[0] = 1;
    try {
      while (owed[0] > 0) {
        owed[0]--;
        fire(-1);
      }
    } finally {
      owed[0] = -1;
    }
  }

  /** Starts one call; {@code lagNanos} is how late an open loop's call left against its slot (-1: not paced). */
  private void fire(long lagNanos) {
    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    long sentAt = System.nanoTime();
    firstSentNanos.accumulateAndGet(sentAt, Math::min);
    lastSentNanos.accumulateAndGet(sentAt, Math::max);
    if (lagNanos >= 0) {
      lagMicros.recordValue(lagNanos / 1_000);
    }
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS);
    ClientCalls.asyncUnaryCall(channel.newCall(GrpcJava.SAY_HELLO, options), request, new StreamObserver<>() {
      private HelloReply reply;

      @Override
      public void onNext(HelloReply value) {
        reply = value;
      }

      @Override
      public void onError(Throwable t) {
        ended(sentAt, null, Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        ended(sentAt, reply, null);
      }
    });
  }

  private void ended(long sentAt, HelloReply reply, Status failure) {
    long now = System.nanoTime();
    latencyMicros.recordValue(Math.max(0, (now - sentAt) / 1_000));
    if (reply != null) {
      okPerIp.computeIfAbsent(reply.getIpAddress(), ip -> new LongAdder()).increment();
    } else {
      String reason = failure.getCode() + (failure.getDescription() == null ? "" : ": " + failure.getDescription());
      errors.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }
    inFlight.decrementAndGet();
    if (load.shape() instanceof LoadShape.ClosedLoop && next.getAndIncrement() < load.n()) {
      fireNext(); // a closed loop: the next call starts as this one ends
    }
    if (ended.incrementAndGet() == load.n()) {
      endNanos = now;
      done.countDown();
    }
  }

  private ExperimentReport report(long gcMs) {
    int n = load.n();
    Map<String, Integer> countPerIp = counts(okPerIp);
    int ok = countPerIp.values().stream().mapToInt(Integer::intValue).sum();
    int cap = load.shape() instanceof LoadShape.ClosedLoop closed ? Math.min(closed.concurrency(), n) : n;
    Histogram latency = latencyMicros.getIntervalHistogram();
    double sendMs = (lastSentNanos.get() - firstSentNanos.get()) / 1e6;
    ExperimentReport.Pacing pacing = load.shape() instanceof LoadShape.OpenLoop open ? pacing(open) : null;
    List<String> warnings = pacing == null ? List.of() : pacing.warning("peer", gcMs).stream().toList();
    // Connections are grpc-java's business (-1: not counted); no histogram buckets, per-pod latency or timeline.
    return new ExperimentReport(new ExperimentPlan(type, n, cap, null, load.shape()), endNanos - startNanos, round(sendMs),
        new ExperimentReport.Outcome(ok, n - ok, countPerIp, counts(errors)),
        new ExperimentReport.Latency(ms(latency, 50), ms(latency, 90), ms(latency, 99), ms(latency, 99.9),
            toMicros(latency.getMaxValue() / 1e3), toMicros(latency.getMean() / 1e3)),
        List.of(), Map.of(), List.of(), pacing, new ExperimentReport.ChannelSeen(-1, endpoints, endpoints, Retries.NONE),
        maxInFlight.get(), 0, gcMs, false, warnings, null, null);
  }

  private ExperimentReport.Pacing pacing(LoadShape.OpenLoop open) {
    double spanS = (lastSentNanos.get() - firstSentNanos.get()) / 1e9;
    double achieved = load.n() > 1 && spanS > 0 ? (load.n() - 1) / spanS : open.ratePerS();
    Histogram lag = lagMicros.getIntervalHistogram();
    return new ExperimentReport.Pacing(open.ratePerS(), round(achieved), ms(lag, 50), ms(lag, 99),
        round(lag.getMaxValue() / 1e3));
  }

  private static Map<String, Integer> counts(Map<String, LongAdder> adders) {
    Map<String, Integer> counts = new TreeMap<>();
    adders.forEach((key, adder) -> counts.put(key, adder.intValue()));
    return counts;
  }

  /** In ms to the µs, as ours reports latencies (a call at concurrency 1 takes about 100 µs). */
  private static double ms(Histogram micros, double percentile) {
    return micros.getTotalCount() == 0 ? 0 : toMicros(micros.getValueAtPercentile(percentile) / 1e3);
  }

  private static double toMicros(double ms) {
    return Math.round(ms * 1000) / 1000.0;
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }

  /** Stop-the-world collection time so far (for ZGC and Shenandoah their pauses, not their concurrent cycles). */
  private static long gcMillis() {
    List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
    boolean concurrent = collectors.stream().anyMatch(c -> c.getName().endsWith("Cycles"));
    return collectors.stream().filter(c -> !concurrent || c.getName().endsWith("Pauses"))
        .mapToLong(c -> Math.max(0, c.getCollectionTime())).sum();
  }
}
