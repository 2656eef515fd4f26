package lab.grpclb.experiment;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.grpc.common.GrpcStatus;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import lab.grpclb.client.CallFailure;
import lab.grpclb.client.Cancellation;
import lab.grpclb.client.GreeterChannel;

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

  private final ExperimentRunner runner;
  private final Map<String, GreeterChannel> channels;
  private final ExperimentLimits limits;
  private final AtomicReference<Running> running = new AtomicReference<>();
  /** The answer of the latest experiment, complete once written. */
  private volatile Future<Void> answering = Future.succeededFuture();

  /**
   * The experiment that holds the lab: what a 409 shows, how to end it, its waiting request, and a future that
   * completes once it has let go of the lab.
   */
  private record Running(JsonObject described, Cancellation cancellation, RoutingContext requester,
                         Promise<Void> released) {
  }

  public ExperimentRoutes(ExperimentRunner runner, Map<String, GreeterChannel> channels, ExperimentLimits limits) {
    this.runner = runner;
    this.channels = channels;
    this.limits = limits;
  }

  public void mount(Router router) {
    router.get("/experiment/client").handler(this::experiment);
    router.get("/").handler(this::experiment);
    router.get("/experiment").handler(StrictQuery.allow()).handler(ctx -> Responses.json(ctx, 200,
        new JsonObject().put("running", describedOrNull(running.get()))));
    router.delete("/experiment").handler(StrictQuery.allow()).handler(this::stop);
  }

  private void experiment(RoutingContext ctx) {
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
      Responses.error(ctx, 503, request.type() + " is unavailable: " + unavailable);
      return;
    }
    Running slot = new Running(describe(request), new Cancellation(), ctx, Promise.promise());
    while (!running.compareAndSet(null, slot)) {
      Running holder = running.get();
      if (holder != null && holder.cancellation().reason() != null) {
        // a cancelled experiment is letting go of the lab (milliseconds): this one is asked again right after
        holder.released().future().onComplete(v -> experiment(ctx));
        return;
      }
      if (holder != null) {
        // a requester that just left may not be seen gone yet (its close waits on a busy event loop)
        holder.released().future().timeout(CONFLICT_GRACE_MS, TimeUnit.MILLISECONDS).onComplete(released -> {
          if (released.succeeded()) {
            experiment(ctx);
          } else {
            Responses.json(ctx, 409, new JsonObject()
                .put("error", "an experiment is already running; experiments never overlap, so timings stay"
                    + " honest; DELETE /experiment stops it")
                .put("running", holder.described()));
          }
        });
        return;
      }
    }
    if (ctx.response().closed()) {
      release(slot); // it went away while it waited for the lab
      return;
    }
    run(slot, request, channel);
  }

  private void run(Running slot, ExperimentRequest request, GreeterChannel channel) {
    RoutingContext ctx = slot.requester();
    String described = request.describe();
    LOG.info(() -> "experiment " + described + " started");
    ctx.response().closeHandler(v -> requesterLeft(slot, described));
    Promise<Void> answered = Promise.promise();
    answering = answered.future(); // before the run starts, so that a stop in between waits for this answer
    GreeterChannel picked = request.lb() == null ? channel : channel.withLb(request.lb());
    long started = System.nanoTime();
    runner.run(experiment(request, channel), picked, request.runs(), slot.cancellation()).transform(ar -> {
      release(slot);
      if (ar.succeeded()) {
        ExperimentReport report = ar.result();
        LOG.info(() -> "experiment " + described + (report.interrupted() ? " interrupted" : " done") + " in "
            + (report.runs() == null ? GoDuration.format(report.elapsedNanos())
                : GoDuration.format(System.nanoTime() - started) + " (" + report.runs().elapsedMs().size()
                + " runs; the median run, reported, took " + GoDuration.format(report.elapsedNanos()) + ")")
            + ": ok=" + report.ok() + " failed=" + report.failed() + " per pod " + report.countPerIp());
        return Responses.json(ctx, 200, ReportJson.toJson(report));
      }
      if (ar.cause() instanceof CallFailure failure && failure.status() == GrpcStatus.CANCELLED) {
        return Responses.error(ctx, 503, "experiment not started: " + failure.reason());
      }
      LOG.warning(() -> "experiment " + described + " could not run: " + ar.cause());
      return Responses.error(ctx, 500, "experiment could not run: " + ar.cause().getMessage());
    }).onComplete(answered);
  }

  /** The requester's connection closed before its answer: the experiment is cancelled, and the lab freed. */
  private void requesterLeft(Running slot, String described) {
    if (slot.requester().response().ended() || slot.cancellation().reason() != null) {
      return;
    }
    Integer sent = runner.cancel(slot.cancellation(), REQUESTER_LEFT);
    if (sent == null) {
      release(slot); // it was still waiting for the warm-up: it will never start
      LOG.info(() -> "experiment " + described + ": requester went away before it started; nothing was sent");
    } else {
      LOG.info(() -> "experiment " + described + ": requester went away after " + sent + " calls; the calls in"
          + " flight are cancelled and the lab is free");
    }
  }

  /** {@code DELETE /experiment}: the running experiment ends now; answers once it has let go of the lab. */
  private void stop(RoutingContext ctx) {
    Running slot = running.get();
    if (slot == null) {
      Responses.error(ctx, 404, "no experiment is running");
      return;
    }
    Integer sent = runner.cancel(slot.cancellation(), STOPPED);
    LOG.info(() -> "experiment " + slot.described().getString("query") + " stopped by DELETE /experiment after "
        + (sent == null ? "0 calls (it had not started)" : sent + " calls"));
    if (sent == null) {
      Responses.error(slot.requester(), 503, "experiment not started: " + STOPPED.reason());
      release(slot);
    }
    slot.released().future().onComplete(v -> Responses.json(ctx, 200, new JsonObject()
        .put("stopped", slot.described()).put("calls_sent", sent == null ? 0 : sent)));
  }

  private void release(Running slot) {
    if (running.compareAndSet(slot, null)) {
      slot.released().complete();
    }
  }

  private static JsonObject describedOrNull(Running slot) {
    return slot == null ? null : slot.described();
  }

  private static JsonObject describe(ExperimentRequest request) {
    return new JsonObject().put("type", request.type()).put("n", request.n())
        .put("shape", ReportJson.shape(request.shape())).put("runs", request.runs())
        .put("lb", request.lb() == null ? null : request.lb().wireName())
        .put("query", request.describe())
        .put("started", Instant.now().toString());
  }

  /**
   * The client is stopping: the running experiment (if any) ends as {@link ExperimentRunner#interrupt} says, and
   * this completes once its report has been written to the waiting request.
   */
  public Future<Void> stop(long drainMs) {
    return runner.interrupt(drainMs).compose(v -> answering).recover(err -> Future.succeededFuture());
  }

  private Experiment experiment(ExperimentRequest request, GreeterChannel channel) {
    Integer connectionBound = channel.maxOpenConnections();
    int cap = connectionBound == null ? limits.maxInFlight() : Math.min(limits.maxInFlight(), connectionBound);
    if (request.shape() instanceof LoadShape.ClosedLoop closed) {
      cap = Math.min(cap, closed.concurrency());
    }
    return new Experiment(request.type(), request.n(), Math.min(cap, request.n()), connectionBound, request.shape(),
        request.lb(), request.sloMs());
  }
}
