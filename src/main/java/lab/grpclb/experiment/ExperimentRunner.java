package lab.grpclb.experiment;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Timer;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import lab.grpclb.call.CallFailure;
import lab.grpclb.call.Cancellation;
import lab.grpclb.client.GreeterChannel;
import lab.grpclb.client.Attempts;
import lab.grpclb.client.Retries;

/**
 * Fires an experiment's n calls without blocking any event loop: the calls are split across the firer
 * contexts, each sends a slice per task and gives its event loop back at least every 10 ms so that replies and
 * deadlines are handled in between, and no more than the experiment's in-flight cap are outstanding at once.
 */
public final class ExperimentRunner {
  private static final Logger LOG = Logger.getLogger(ExperimentRunner.class.getName());
  /** Calls one firer sends in one task: a few milliseconds of the event loop's time. */
  static final int SLICE = 256;
  /** A burst gives its event loop back to the sockets and timers at least this often. */
  static final long YIELD_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  /** At most this many calls leave per wake-up of a pacer, so a client far behind its schedule yields its loop. */
  static final int RELEASE_PER_WAKE = 4 * SLICE;
  /** How often a long run logs its progress (and only when calls ended since the last line). */
  static final long PROGRESS_EVERY_MS = 5_000;

  /** What a run the stop of the client prevented, or a call it cut short, fails with. */
  static final CallFailure SHUTTING_DOWN = new CallFailure(GrpcStatus.CANCELLED, "client shutting down");

  private final Vertx vertx;
  private final List<Context> firers;
  private volatile RunningExperiment current;
  /** The running experiment or, once it ended, the latest one: what {@link #progress} reports. */
  private volatile RunningExperiment latest;
  private final AtomicLong runsStarted = new AtomicLong();
  private volatile boolean stopping;
  private volatile long stopDrainMs;
  private volatile java.util.function.Consumer<ExperimentReport> onRunEnded = report -> { };
  /** Runs start once this completed (the client's JIT warm-up), whatever its outcome. */
  private volatile Future<Void> ready = Future.succeededFuture();

  public ExperimentRunner(Vertx vertx, FirerPool pool) {
    this.vertx = vertx;
    this.firers = pool.contexts();
  }

  /**
   * The experiment {@code runs} times, one after the other, not started yet: {@link Series#start} runs it, and
   * {@link Series#cancel} ends it early.
   */
  public Series series(ExperimentPlan experiment, GreeterChannel channel, int runs) {
    return new Series(experiment, channel, runs);
  }

  /** Experiments wait for {@code ready} to complete before they start (their clock starts then). */
  public ExperimentRunner after(Future<Void> ready) {
    this.ready = ready;
    return this;
  }

  /** Completes once the client's JIT warm-up is over, whatever its outcome: what experiments wait for. */
  public Future<Void> ready() {
    return ready.otherwiseEmpty();
  }

  /** One run that nothing but the client's stop ends early. */
  public Future<ExperimentReport> run(ExperimentPlan experiment, GreeterChannel channel) {
    return series(experiment, channel, 1).start();
  }

  /** Where a series is: waiting for the warm-up, started (a run began), or cancelled before it started. */
  private enum SeriesState { WAITING, STARTED, CANCELLED }

  /**
   * One request's experiment: K runs of it, one after the other, reported as the median run with every run's
   * elapsed time and p99. A stop or a cancel between runs ends it with the runs done so far. Its state moves by
   * compare-and-set only, because a cancel comes from another event loop than the runs.
   */
  public final class Series {
    private final ExperimentPlan experiment;
    private final GreeterChannel channel;
    private final int runs;
    private final Cancellation cancellation = new Cancellation();
    private final AtomicReference<SeriesState> state = new AtomicReference<>(SeriesState.WAITING);
    /** The run in progress, or the latest; read by {@link #cancel} on another event loop. */
    private volatile RunningExperiment current;

    private Series(ExperimentPlan experiment, GreeterChannel channel, int runs) {
      this.experiment = experiment;
      this.channel = channel;
      this.runs = runs;
    }

    public Future<ExperimentReport> start() {
      List<ExperimentReport> reports = new ArrayList<>();
      Future<Void> chain = Future.succeededFuture();
      for (int i = 0; i < runs; i++) {
        chain = chain.compose(v -> reports.isEmpty() || !stopping && cancellation.reason() == null
            && !reports.get(reports.size() - 1).interrupted()
            ? runOnce().map(report -> {
              reports.add(report);
              return (Void) null;
            })
            : Future.succeededFuture());
      }
      return chain.map(v -> ExperimentReport.median(reports, runs));
    }

    /** Whether {@link #cancel} was called. */
    public boolean cancelled() {
      return cancellation.reason() != null;
    }

    /**
     * Ends the series: it sends no new call, and the calls in flight are reset and fail with {@code why}; no further
     * run starts, nor does a first one still waiting for the warm-up. Returns the calls its current run had sent (0
     * between runs), or null when no run of it had started, and none will.
     */
    public Integer cancel(CallFailure why) {
      cancellation.cancel(why); // before the state is read: a run starting now sees it (runOnce)
      if (state.compareAndSet(SeriesState.WAITING, SeriesState.CANCELLED) || state.get() == SeriesState.CANCELLED) {
        return null;
      }
      RunningExperiment run = current;
      if (run == null) {
        return 0;
      }
      if (!run.ended()) {
        run.interrupt(0, why);
      }
      return run.sent();
    }

    private Future<ExperimentReport> runOnce() {
      return ready.otherwiseEmpty().compose(w -> channel.warmUp()).compose(v -> {
        if (stopping) {
          return Future.failedFuture(SHUTTING_DOWN);
        }
        if (!state.compareAndSet(SeriesState.WAITING, SeriesState.STARTED) && state.get() != SeriesState.STARTED) {
          return Future.failedFuture(cancellation.reason()); // cancelled while it waited for the warm-up
        }
        Promise<ExperimentReport> done = Promise.promise();
        RunningExperiment run = new RunningExperiment(experiment, channel, cancellation, done);
        current = run;
        ExperimentRunner.this.current = run;
        latest = run;
        run.start();
        done.future().onComplete(ar -> {
          if (ExperimentRunner.this.current == run) {
            ExperimentRunner.this.current = null;
          }
        }).onSuccess(report -> onRunEnded.accept(report));
        if (stopping) {
          run.interrupt(stopDrainMs, SHUTTING_DOWN); // the stop began while this one was starting: it saw no run
        } else if (cancellation.reason() != null) {
          run.interrupt(0, cancellation.reason()); // likewise for a cancel that read no current run
        }
        return done.future();
      });
    }
  }

  /** Told of every run's report (each of a series' runs), for /metrics. */
  public ExperimentRunner onRunEnded(java.util.function.Consumer<ExperimentReport> listener) {
    onRunEnded = listener;
    return this;
  }

  /**
   * The client is stopping: no experiment starts any more, and the running one sends no new call, gives its
   * calls in flight up to {@code drainMs} to end, and reports (interrupted) with every call it could not finish
   * counted as {@link #SHUTTING_DOWN}. Completes when that report exists (at once when nothing runs).
   */
  public Future<Void> drain(long drainMs) {
    stopDrainMs = drainMs;
    stopping = true;
    RunningExperiment run = current;
    if (run == null) {
      return Future.succeededFuture();
    }
    run.interrupt(drainMs, SHUTTING_DOWN);
    return run.done.future().<Void>mapEmpty().recover(err -> Future.succeededFuture());
  }

  /**
   * The progress of the running experiment, or of the latest one once it ended; empty before the first. Its
   * seconds start at {@code fromSecond} when {@code run} is the one reported, else at 0. Each firer copies its
   * own tally on its own event loop (a few maps and small histograms per asked second), so a call of this
   * costs one task per firer and the experiment's calls nothing at all.
   */
  public Future<Optional<RunProgress>> progress(long run, int fromSecond) {
    RunningExperiment reported = latest;
    if (reported == null) {
      return Future.succeededFuture(Optional.empty());
    }
    return reported.progress(reported.id == run ? fromSecond : 0).map(Optional::of);
  }

  /** One experiment in progress. */
  private final class RunningExperiment {
    private final long id = runsStarted.incrementAndGet();
    private final ExperimentPlan experiment;
    private final GreeterChannel channel;
    private final Cancellation cancellation;
    private final List<String> endpointsAtStart;
    private final Retries retriedAtStart;
    private final Attempts attemptsAtStart;
    private final AttemptSampler attemptsSent;
    private final Promise<ExperimentReport> done;
    private final HelloRequest request;
    private final Firer[] parts;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger completed = new AtomicInteger();
    /**
     * Calls sent, counted on its own: completed + in flight, read from another thread while calls end, can miss a call
     * between its two counters.
     */
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger firersLeft;
    private final long connectionsAtStart;
    private final long startNanos;
    /** The run's length once its last call ended, for the progress asked after; -1 before. */
    private volatile long elapsedAtEndNanos = -1;
    private long gcMillisAtStart;
    private long progressTimer;
    private int completedAtLastLine;
    /** Set once, by whichever comes first: the client's stop, a cancel, a DELETE (each on its own thread). */
    private final AtomicBoolean interrupted = new AtomicBoolean();

    RunningExperiment(ExperimentPlan experiment, GreeterChannel channel, Cancellation cancellation,
                      Promise<ExperimentReport> done) {
      this.experiment = experiment;
      this.channel = channel;
      this.cancellation = cancellation;
      this.endpointsAtStart = channel.endpoints();
      this.retriedAtStart = channel.retries();
      this.attemptsAtStart = channel.attempts();
      this.attemptsSent = new AttemptSampler(vertx, channel);
      this.done = done;
      this.request = HelloRequest.newBuilder().setName(experiment.type()).build();
      this.startNanos = System.nanoTime();
      List<Context> contexts = channel.preferredContext() != null ? List.of(channel.preferredContext()) : firers;
      // No more firers than slots: each firer needs at least one, and the cap must hold.
      int count = Math.min(Math.min(contexts.size(), experiment.n()), experiment.inFlightCap());
      this.parts = new Firer[count];
      this.firersLeft = new AtomicInteger(count);
      int capLeft = experiment.inFlightCap();
      for (int i = 0; i < count; i++) {
        int from = (int) ((long) experiment.n() * i / count);
        int to = (int) ((long) experiment.n() * (i + 1) / count);
        int cap = Math.max(1, capLeft / (count - i));
        capLeft -= cap;
        parts[i] = new Firer(contexts.get(i), i, count, from, to, cap);
      }
      this.connectionsAtStart = channel.connectionsOpened() - channel.connectionsOpen();
    }

    void start() {
      gcMillisAtStart = gcMillis();
      progressTimer = vertx.setPeriodic(PROGRESS_EVERY_MS, id -> logProgress());
      attemptsSent.start();
      for (Firer part : parts) {
        part.context.runOnContext(v -> part.begin());
      }
    }

    /** One line while calls end, none while a slow open loop waits for its next call. */
    private void logProgress() {
      int done = completed.get();
      if (done != completedAtLastLine) {
        completedAtLastLine = done;
        LOG.info(() -> experiment.type() + " n=" + experiment.n() + ": " + done + " calls done, " + inFlight.get()
            + " in flight");
      }
    }

    /** Whether every firer has ended its calls. */
    boolean ended() {
      return firersLeft.get() == 0;
    }

    /** Calls sent so far: ended or in flight. */
    int sent() {
      return sent.get();
    }

    /** Seconds [from, the last whole one) of every firer's tally, or all of them once every call has ended. */
    Future<RunProgress> progress(int from) {
      boolean ended = firersLeft.get() == 0;
      long endedAfter = elapsedAtEndNanos;
      long elapsedNanos = ended && endedAfter >= 0 ? endedAfter : System.nanoTime() - startNanos;
      int upTo = ended ? Integer.MAX_VALUE : (int) (elapsedNanos / 1_000_000_000L);
      List<Future<RunProgress.Part>> copies = new ArrayList<>();
      for (Firer part : parts) {
        Promise<RunProgress.Part> copied = Promise.promise();
        part.context.runOnContext(v -> copied.complete(RunProgress.Part.of(part.tally, from, upTo)));
        copies.add(copied.future());
      }
      return Future.all(copies).map(all -> RunProgress.merge(id, experiment, ended, inFlight.get(), from,
          elapsedNanos / 1_000_000, all.list()));
    }

    /**
     * No new call; the calls in flight get {@code drainMs} to end, then count as cut short; every call that did
     * not end is counted with {@code why}.
     */
    void interrupt(long drainMs, CallFailure why) {
      if (!interrupted.compareAndSet(false, true)) {
        return;
      }
      LOG.info(() -> experiment.type() + " n=" + experiment.n() + " interrupted (" + why.reason() + "): no new calls, "
          + inFlight.get() + " in flight " + (drainMs == 0 ? "cancelled" : "get up to " + drainMs + " ms"));
      for (Firer part : parts) {
        part.context.runOnContext(v -> part.stopFiring(why));
      }
      vertx.setTimer(Math.max(1, drainMs), id -> {
        for (Firer part : parts) {
          part.context.runOnContext(v -> part.abandonOutstanding(why));
        }
      });
    }

    void enter() {
      sent.incrementAndGet();
      int now = inFlight.incrementAndGet();
      if (now > maxInFlight.get()) {
        maxInFlight.accumulateAndGet(now, Math::max);
      }
    }

    void leave() {
      inFlight.decrementAndGet();
      completed.incrementAndGet();
    }

    void firerDone() {
      if (firersLeft.decrementAndGet() > 0) {
        return;
      }
      long elapsed = System.nanoTime() - startNanos;
      elapsedAtEndNanos = elapsed;
      long gc = gcMillis() - gcMillisAtStart;
      vertx.cancelTimer(progressTimer);
      RunTally[] tallies = Arrays.stream(parts).map(part -> part.tally).toArray(RunTally[]::new);
      int waited = Arrays.stream(parts).mapToInt(part -> part.waited).sum();
      long connections = channel.connectionsOpened() - connectionsAtStart;
      ExperimentReport.ChannelSeen seen = new ExperimentReport.ChannelSeen(connections, endpointsAtStart,
          channel.endpoints(), channel.retries().since(retriedAtStart), channel.attempts().since(attemptsAtStart));
      // a cancel can end every call (RST_STREAM) before interrupt() reaches this run: it was interrupted all the same
      TallySummary.Seen measured = new TallySummary.Seen(elapsed, seen, maxInFlight.get(), waited, gc,
          interrupted.get() || cancellation.reason() != null, attemptsSent.stop());
      vertx.executeBlocking(() -> TallySummary.report(experiment, RunTally.merge(startNanos, tallies), measured))
          .onComplete(done);
    }

    /**
     * The calls [from, to) sent from one event loop, as the experiment's shape says: a burst pumps them out a slice
     * per turn, a closed loop sends the next as soon as one ends, and an open loop releases them on their schedule
     * from a timer set for the next one due (no timer per call). Every field is touched only on that event loop.
     */
    private final class Firer {
      private final Context context;
      private final int index;
      private final int firers;
      private final int to;
      private final int calls;
      private final int cap;
      private final RunTally tally;
      private final SplittableRandom random = new SplittableRandom();
      private boolean abandoned;
      private int next;
      private int outstanding;
      private int ended;
      private int waited;
      private boolean capHit;
      private boolean reported;
      private boolean pumpScheduled;
      private long yieldedAt = System.nanoTime();
      /** An open loop still releasing calls, and its timer. */
      private boolean paced;
      private Timer pacer;
      private long nextDueNanos;

      Firer(Context context, int index, int firers, int from, int to, int cap) {
        this.context = context;
        this.index = index;
        this.firers = firers;
        this.next = from;
        this.to = to;
        this.calls = to - from;
        this.cap = cap;
        this.tally = new RunTally(startNanos, experiment.sloMs() != null);
      }

      void begin() {
        if (experiment.shape() instanceof LoadShape.OpenLoop open) {
          // the firers interleave: firer i sends calls i, i + k, i + 2k... of one schedule at the asked rate
          nextDueNanos = startNanos + Math.round(index * 1e9 / open.ratePerS());
          paced = true;
          release(open);
        } else {
          pump();
        }
      }

      void pump() {
        pumpScheduled = false;
        for (int budget = SLICE; budget > 0 && next < to; budget--) {
          if (!room()) {
            return;
          }
          fire(0);
        }
        schedulePump();
      }

      /** Whether a call may start now; the first time the cap stops one, every call from there on waited. */
      private boolean room() {
        if (outstanding < cap) {
          return true;
        }
        if (!capHit) {
          capHit = true;
          waited = to - next;
        }
        return false;
      }

      /**
       * The next slice is a task on this loop, and at least every {@link #YIELD_EVERY_NANOS} it waits for the
       * loop's next turn instead, after its reads and its timers due (a timer due at once). Netty 4.2 runs
       * queued tasks for up to a second before it polls the sockets or fetches its timers again, so slices
       * chained as tasks alone held the deadline sweeps and every reply until the whole burst was sent. A turn
       * per slice cost the client 12-30 % more CPU (smaller socket writes); a 1 ms timer left the loop idle.
       */
      private void schedulePump() {
        if (next < to && outstanding < cap && !pumpScheduled) {
          pumpScheduled = true;
          long now = System.nanoTime();
          if (now - yieldedAt < YIELD_EVERY_NANOS) {
            context.runOnContext(v -> pump());
          } else {
            yieldedAt = now;
            vertx.timer(1, TimeUnit.NANOSECONDS).onSuccess(v -> pump()); // on this firer's context, where we are
          }
        }
      }

      /** The calls whose slot has come, late ones first (a late call's lag is recorded); then the next wake-up. */
      private void release(LoadShape.OpenLoop open) {
        long now = System.nanoTime();
        double gapNanos = firers * 1e9 / open.ratePerS();
        for (int budget = RELEASE_PER_WAKE; budget > 0 && next < to && nextDueNanos <= now && room(); budget--) {
          fire(now - nextDueNanos);
          nextDueNanos += Math.round(open.arrival() == LoadShape.Arrival.POISSON
              ? -Math.log(1 - random.nextDouble()) * gapNanos : gapNanos);
        }
        if (next >= to) {
          stopPacer();
        } else if (paced) {
          long wait = Math.max(LoadShape.OpenLoop.PACER_GRAIN_NANOS, nextDueNanos - System.nanoTime());
          pacer = vertx.timer(wait, TimeUnit.NANOSECONDS); // on this firer's context, where we are
          pacer.onSuccess(v -> release(open));
        }
      }

      private void stopPacer() {
        paced = false;
        if (pacer != null) {
          pacer.cancel();
          pacer = null;
        }
      }

      private void fire(long lagNanos) {
        next++;
        outstanding++;
        enter();
        long sentAt = System.nanoTime();
        tally.sent(sentAt);
        if (paced) {
          tally.lagged(lagNanos);
        }
        channel.sayHello(request, cancellation).onComplete(result -> {
          if (Vertx.currentContext() == context) {
            ended(result, sentAt);
          } else {
            context.runOnContext(v -> ended(result, sentAt)); // keep the tally on this firer's thread
          }
        });
      }

      private void ended(AsyncResult<HelloReply> result, long sentAt) {
        if (abandoned) {
          return; // already counted as cut short by the stop
        }
        tally.record(result, sentAt, System.nanoTime());
        outstanding--;
        leave();
        ended++;
        if (checkDone()) {
          return;
        }
        if (experiment.shape() instanceof LoadShape.ClosedLoop) {
          if (next < to && room()) {
            fire(0); // a closed loop: the next call starts as this one ends
          }
        } else if (!paced) {
          schedulePump();
        }
      }

      /** The run is interrupted: the calls not sent yet never will be. */
      void stopFiring(CallFailure why) {
        stopPacer();
        int unsent = to - next;
        next = to;
        tally.cancelled(unsent, why.getMessage());
        ended += unsent;
        checkDone();
      }

      /** The drain time is up: calls still in flight are counted as cut short, and their outcome ignored. */
      void abandonOutstanding(CallFailure why) {
        if (ended == calls || outstanding == 0) {
          return;
        }
        abandoned = true;
        tally.cancelled(outstanding, why.getMessage());
        ended += outstanding;
        outstanding = 0;
        checkDone();
      }

      private boolean checkDone() {
        if (ended == calls && !reported) {
          reported = true;
          firerDone();
        }
        return ended == calls;
      }
    }
  }

  /**
   * This JVM's stop-the-world collection time so far. At large n the client's collections are a large part of
   * a run, and the report says how large. Concurrent collectors (ZGC, Shenandoah) report their cycles, which
   * run beside the application, apart from their pauses: only the pauses count.
   */
  private static long gcMillis() {
    List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
    boolean concurrent = collectors.stream().anyMatch(c -> c.getName().endsWith("Cycles"));
    return collectors.stream()
        .filter(c -> !concurrent || c.getName().endsWith("Pauses"))
        .mapToLong(GarbageCollectorMXBean::getCollectionTime).filter(ms -> ms > 0).sum();
  }
}
