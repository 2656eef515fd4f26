package lab.grpclb.experiment;

import lab.grpclb.http.BadRequest;
import lab.grpclb.http.Responses;
import lab.grpclb.http.StrictQuery;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.grpc.common.GrpcStatus;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import lab.grpclb.call.CallFailure;
import lab.grpclb.client.GreeterChannel;
import lab.grpclb.config.ClientType;

/**
 * {@code GET /experiment/client?type=T&n=N} (and {@code GET /?type=T&n=N}, as the reference README uses), with
 * the load shapes of {@link ExperimentRequest}: validates the request, runs one experiment at a time, answers the
 * report. An experiment belongs to its request: when the requester goes away its calls are cancelled and the lab
 * is free again; {@code DELETE /experiment} ends it early, and its requester gets the interrupted report.
 */
public final class ExperimentRoutes {
  private static final Logger LOG = Logger.getLogger(ExperimentRoutes.class.getName());
  static final CallFailure REQUESTER_LEFT = new CallFailure(GrpcStatus.CANCELLED, "requester went away");
  static final CallFailure STOPPED = new CallFailure(GrpcStatus.CANCELLED, "stopped by DELETE /experiment");
  /**
   * How long a request finding the lab busy waits for it before its 409: a script that gives up on one request
   * and asks the next at once must find the lab free, though the first one's close is still on its way.
   */
  static final long CONFLICT_GRACE_MS = 1_000;
  /** The same once the holder is cancelled: its calls end within a turn of each event loop, seconds at most. */
  static final long CANCELLED_GRACE_MS = 10_000;

  private final ExperimentRunner runner;
  private final Map<ClientType, GreeterChannel> channels;
  private final ExperimentLimits limits;
  private final AtomicReference<Holder> running = new AtomicReference<>();
  /** The answer of the latest experiment, complete once written. */
  private volatile Future<Void> answering = Future.succeededFuture();
  /** Local mode's fleet, whose fields a full answer adds; null elsewhere. */
  private volatile FleetWitness witness;

  /**
   * The experiment that holds the lab: what a 409 shows, its runs, its waiting request and that request's event
   * loop, whether the request has its answer (or left), and a promise completed once it has let go of the lab.
   */
  private record Holder(JsonObject described, GreeterChannel channel, ExperimentRunner.Series series, AnswerFormat format,
                        RoutingContext requester, Context context, AtomicBoolean answered, Promise<Void> released) {
    /** The requester's one answer, written on its event loop whoever gives it; later ones are dropped. */
    Future<Void> answer(int status, JsonObject body) {
      if (!answered.compareAndSet(false, true)) {
        return Future.succeededFuture();
      }
      Promise<Void> written = Promise.promise();
      context.runOnContext(v -> Responses.json(requester, status, body).onComplete(written));
      return written.future();
    }
  }

  public ExperimentRoutes(ExperimentRunner runner, Map<ClientType, GreeterChannel> channels, ExperimentLimits limits) {
    this.runner = runner;
    this.channels = channels;
    this.limits = limits;
  }

  /** Full answers add what {@code fleet} sees of each run (local mode's clients and pods). */
  public ExperimentRoutes withWitness(FleetWitness fleet) {
    witness = fleet;
    return this;
  }

  public void mount(Router router) {
    router.get("/experiment/client").handler(this::experiment);
    router.get("/").handler(this::experiment);
    router.get("/experiment").handler(StrictQuery.allow()).handler(ctx -> Responses.json(ctx, 200,
        new JsonObject().put("running", describedOrNull(running.get()))));
    router.delete("/experiment").handler(StrictQuery.allow()).handler(this::delete);
  }

  private void experiment(RoutingContext ctx) {
    experiment(ctx, System.nanoTime());
  }

  /** On the request's event loop; {@code arrivedNanos}: when it came, for the grace a busy lab gives it. */
  private void experiment(RoutingContext ctx, long arrivedNanos) {
    ExperimentRequest request;
    try {
      request = ExperimentRequest.parse(ctx.queryParams(), limits);
    } catch (BadRequest e) {
      Responses.error(ctx, 400, e.getMessage());
      return;
    }
    GreeterChannel channel = channels.get(request.type());
    String unavailable = channel.unavailableReason();
    if (unavailable != null) {
      Future<Void> warm = runner.ready();
      if (!warm.isComplete()) {
        // The startup line says experiments asked for now wait for the JIT warm-up: so does this one, and it is
        // asked again after it, by when discovery has usually listed the pods (it answered 503 in 2 of 9 starts)
        Context context = Vertx.currentContext();
        warm.onComplete(v -> context.runOnContext(again -> experiment(ctx, arrivedNanos)));
        return;
      }
      Responses.error(ctx, 503, request.type() + " is unavailable: " + unavailable);
      return;
    }
    GreeterChannel picked = request.lb() == null ? channel : channel.withLb(request.lb());
    if (request.hedgingDelayMs() != null) {
      picked = picked.withHedgingDelay(request.hedgingDelayMs());
    }
    if (request.subsetSize() != null || request.zoneAware() != null) {
      picked = picked.withFleet(request::fleet);
    }
    Holder slot = new Holder(describe(request), channel, runner.series(experiment(request, channel), picked, request.runs()),
        request.format(), ctx, Vertx.currentContext(), new AtomicBoolean(), Promise.promise());
    if (running.compareAndSet(null, slot)) {
      run(slot, request.describe());
      return;
    }
    Holder holder = running.get();
    if (holder == null) {
      slot.context().runOnContext(v -> experiment(ctx, arrivedNanos)); // let go of just now: ask again
    } else {
      waitForLab(ctx, arrivedNanos, holder);
    }
  }

  /**
   * The lab is held: this request is asked again once the holder lets go, or answered 409 if that takes longer
   * than the grace, counted from when the request came. A requester that just left may not be seen gone yet (its
   * close waits on a busy event loop), and a cancelled run takes a moment to end its calls.
   */
  private void waitForLab(RoutingContext ctx, long arrivedNanos, Holder holder) {
    long graceMs = holder.series().cancelled() ? CANCELLED_GRACE_MS : CONFLICT_GRACE_MS;
    long leftMs = graceMs - (System.nanoTime() - arrivedNanos) / 1_000_000;
    if (leftMs <= 0) {
      conflict(ctx, holder);
      return;
    }
    Context context = Vertx.currentContext();
    AtomicBoolean decided = new AtomicBoolean();
    long timer = context.owner().setTimer(leftMs, id -> {
      if (decided.compareAndSet(false, true)) {
        if (holder.series().cancelled() && graceMs < CANCELLED_GRACE_MS) {
          waitForLab(ctx, arrivedNanos, holder); // cancelled meanwhile (its requester left): it gets the longer grace
        } else {
          conflict(ctx, holder);
        }
      }
    });
    holder.released().future().onComplete(v -> context.runOnContext(x -> {
      if (decided.compareAndSet(false, true)) {
        context.owner().cancelTimer(timer);
        experiment(ctx, arrivedNanos);
      }
    }));
  }

  private static void conflict(RoutingContext ctx, Holder holder) {
    Responses.json(ctx, 409, new JsonObject()
        .put("error", "an experiment is already running; experiments never overlap, so timings stay honest;"
            + " DELETE /experiment stops it")
        .put("running", holder.described()));
  }

  /** On the requester's event loop, where its close is seen too. */
  private void run(Holder slot, String described) {
    RoutingContext ctx = slot.requester();
    ctx.response().closeHandler(v -> requesterLeft(slot, described));
    if (ctx.response().closed()) {
      release(slot); // it went away while it waited for the lab
      return;
    }
    LOG.info(() -> "experiment " + described + " started");
    long started = System.nanoTime();
    FleetWitness fleet = witness;
    FleetWitness.WatchedRun watch = fleet == null ? null : fleet.begin(slot.channel());
    try {
      // set before the run starts, so that a stop in between waits for this answer
      answering = slot.series().start().transform(ar -> {
        release(slot);
        if (ar.succeeded()) {
          ExperimentReport report = ar.result();
          LOG.info(() -> "experiment " + described + (report.interrupted() ? " interrupted" : " done") + " in "
              + (report.runs() == null ? GoDuration.format(report.elapsedNanos())
                  : GoDuration.format(System.nanoTime() - started) + " (" + report.runs().elapsedMs().size()
                  + " runs; the median run, reported, took " + GoDuration.format(report.elapsedNanos()) + ")")
              + ": ok=" + report.ok() + " failed=" + report.failed() + " per pod " + report.countPerIp());
          return slot.answer(200, slot.format() == AnswerFormat.COMPACT ? ReportJson.compact(report)
              : watch == null ? ReportJson.toJson(report)
              : ReportJson.toJson(report).mergeIn(watch.fields(report.countPerIp())));
        }
        if (ar.cause() instanceof CallFailure failure && failure.status() == GrpcStatus.CANCELLED) {
          return slot.answer(503, error("experiment not started: " + failure.reason()));
        }
        LOG.warning(() -> "experiment " + described + " could not run: " + ar.cause());
        return slot.answer(500, error("experiment could not run: " + ar.cause().getMessage()));
      });
    } catch (RuntimeException e) {
      release(slot); // never a lab locked by a run that could not start
      LOG.warning(() -> "experiment " + described + " could not start: " + e);
      slot.answer(500, error("experiment could not start: " + e.getMessage()));
    }
  }

  /** The requester's connection closed before its answer: the experiment is cancelled, and the lab freed. */
  private void requesterLeft(Holder slot, String described) {
    if (!slot.answered().compareAndSet(false, true)) {
      return; // answered already: a normal close
    }
    Integer sent = slot.series().cancel(REQUESTER_LEFT);
    if (sent == null) {
      release(slot); // it had not started, and now never will
      LOG.info(() -> "experiment " + described + ": requester went away before it started; nothing was sent");
    } else {
      LOG.info(() -> "experiment " + described + ": requester went away (" + sent + " calls sent in the current"
          + " run); the calls in flight are cancelled and the lab is free");
    }
  }

  /** {@code DELETE /experiment}: the running experiment ends now; answers once it has let go of the lab. */
  private void delete(RoutingContext ctx) {
    Holder slot = running.get();
    if (slot == null) {
      Responses.error(ctx, 404, "no experiment is running");
      return;
    }
    boolean ending = slot.series().cancelled(); // already: its requester went away, or another DELETE
    Integer sent = slot.series().cancel(STOPPED);
    if (!ending) {
      LOG.info(() -> "experiment " + slot.described().getString("query") + " stopped by DELETE /experiment ("
          + (sent == null ? "it had not started" : sent + " calls sent in the current run") + ")");
    }
    if (sent == null) {
      slot.answer(503, error("experiment not started: " + STOPPED.reason()));
      release(slot);
    }
    Context context = Vertx.currentContext();
    slot.released().future().onComplete(v -> context.runOnContext(x -> Responses.json(ctx, 200, new JsonObject()
        .put("stopped", slot.described()).put("calls_sent", sent == null ? 0 : sent))));
  }

  private void release(Holder slot) {
    if (running.compareAndSet(slot, null)) {
      slot.released().complete();
    }
  }

  private static JsonObject error(String message) {
    return new JsonObject().put("error", message);
  }

  private static JsonObject describedOrNull(Holder slot) {
    return slot == null ? null : slot.described();
  }

  private static JsonObject describe(ExperimentRequest request) {
    return new JsonObject().put("type", request.type().wireName()).put("n", request.n())
        .put("shape", ReportJson.shape(request.shape())).put("runs", request.runs())
        .put("lb", request.lb() == null ? null : request.lb().wireName())
        .put("hedging_delay_ms", request.hedgingDelayMs())
        .put("subset_size", request.subsetSize())
        .put("zone_aware", request.zoneAware())
        .put("query", request.describe())
        .put("started", Instant.now().toString());
  }

  /**
   * The client is stopping: the running experiment (if any) ends as {@link ExperimentRunner#drain} says, and
   * this completes once its report has been written to the waiting request.
   */
  public Future<Void> drain(long drainMs) {
    return runner.drain(drainMs).compose(v -> answering).recover(err -> Future.succeededFuture());
  }

  private ExperimentPlan experiment(ExperimentRequest request, GreeterChannel channel) {
    Integer connectionBound = channel.maxOpenConnections();
    int cap = connectionBound == null ? limits.maxInFlight() : Math.min(limits.maxInFlight(), connectionBound);
    if (request.shape() instanceof LoadShape.ClosedLoop closed) {
      cap = Math.min(cap, closed.concurrency());
    }
    return new ExperimentPlan(request.type().wireName(), request.n(), Math.min(cap, request.n()), connectionBound,
        request.shape(), request.lb(), request.sloMs(), request.hedgingDelayMs());
  }
}
