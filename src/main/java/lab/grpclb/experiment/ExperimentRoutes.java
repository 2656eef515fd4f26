package lab.grpclb.experiment;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import lab.grpclb.client.GreeterChannel;

/**
 * {@code GET /experiment/client?type=T&n=N} (and {@code GET /?type=T&n=N}, as the reference README uses), with
 * the load shapes of {@link ExperimentRequest}: validates the request, runs one experiment at a time, answers the
 * report.
 */
public final class ExperimentRoutes {
  private static final Logger LOG = Logger.getLogger(ExperimentRoutes.class.getName());

  private final ExperimentRunner runner;
  private final Map<String, GreeterChannel> channels;
  private final ExperimentLimits limits;
  private final AtomicReference<JsonObject> running = new AtomicReference<>();
  /** The answer of the latest experiment, complete once written. */
  private volatile Future<Void> answering = Future.succeededFuture();

  public ExperimentRoutes(ExperimentRunner runner, Map<String, GreeterChannel> channels, ExperimentLimits limits) {
    this.runner = runner;
    this.channels = channels;
    this.limits = limits;
  }

  public void mount(Router router) {
    router.get("/experiment/client").handler(this::experiment);
    router.get("/").handler(this::experiment);
  }

  private void experiment(RoutingContext ctx) {
    ExperimentRequest request;
    try {
      request = ExperimentRequest.parse(ctx.queryParams(), limits);
    } catch (ExperimentRequest.BadRequest e) {
      Responses.error(ctx, 400, e.getMessage());
      return;
    }
    String type = request.type();
    GreeterChannel channel = channels.get(type);
    if (channel == null) {
      Responses.error(ctx, 400, "unknown type '" + type + "'; valid types: " + String.join(", ", ClientTypes.ALL));
      return;
    }
    String unavailable = channel.unavailableReason();
    if (unavailable != null) {
      Responses.error(ctx, 503, type + " is unavailable: " + unavailable);
      return;
    }
    JsonObject current = new JsonObject().put("type", type).put("n", request.n())
        .put("shape", ReportJson.shape(request.shape())).put("runs", request.runs())
        .put("lb", request.lb() == null ? null : request.lb().wireName())
        .put("started", Instant.now().toString());
    if (!running.compareAndSet(null, current)) {
      Responses.json(ctx, 409, new JsonObject()
          .put("error", "an experiment is already running; experiments never overlap, so timings stay honest")
          .put("running", running.get()));
      return;
    }
    Experiment experiment = experiment(request, channel);
    String described = request.describe();
    LOG.info(() -> "experiment " + described + " started");
    Promise<Void> answered = Promise.promise();
    answering = answered.future(); // before the run starts, so that a stop in between waits for this answer
    GreeterChannel picked = request.lb() == null ? channel : channel.withLb(request.lb());
    runner.run(experiment, picked, request.runs()).transform(ar -> {
      running.set(null);
      if (ar.succeeded()) {
        ExperimentReport report = ar.result();
        LOG.info(() -> "experiment " + described + (report.interrupted() ? " interrupted" : " done") + " in "
            + GoDuration.format(report.elapsedNanos()) + ": ok=" + report.ok() + " failed=" + report.failed()
            + " per pod " + report.countPerIp());
        return Responses.json(ctx, 200, ReportJson.toJson(report));
      }
      if (ar.cause() == ExperimentRunner.SHUTTING_DOWN) {
        return Responses.error(ctx, 503, "experiment not started: " + ExperimentRunner.SHUTTING_DOWN.reason());
      }
      LOG.warning(() -> "experiment " + described + " could not run: " + ar.cause());
      return Responses.error(ctx, 500, "experiment could not run: " + ar.cause().getMessage());
    }).onComplete(answered);
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
