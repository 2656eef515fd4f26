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
 * {@code GET /experiment/client?type=T&n=N} (and {@code GET /?type=T&n=N}, as the reference README uses):
 * validates the request, runs one experiment at a time, answers the report.
 */
public final class ExperimentRoutes {
  private static final Logger LOG = Logger.getLogger(ExperimentRoutes.class.getName());
  static final String DEFAULT_TYPE = ClientTypes.CLIENT;
  static final int DEFAULT_N = 1000;

  private final ExperimentRunner runner;
  private final Map<String, GreeterChannel> channels;
  private final int maxN;
  private final int maxInFlight;
  private final AtomicReference<JsonObject> running = new AtomicReference<>();
  /** The answer of the latest experiment, complete once written. */
  private volatile Future<Void> answering = Future.succeededFuture();

  public ExperimentRoutes(ExperimentRunner runner, Map<String, GreeterChannel> channels, int maxN, int maxInFlight) {
    this.runner = runner;
    this.channels = channels;
    this.maxN = maxN;
    this.maxInFlight = maxInFlight;
  }

  public void mount(Router router) {
    router.get("/experiment/client").handler(this::experiment);
    router.get("/").handler(this::experiment);
  }

  private void experiment(RoutingContext ctx) {
    String type = param(ctx, "type", DEFAULT_TYPE);
    String rawN = param(ctx, "n", String.valueOf(DEFAULT_N));
    Integer n = parseN(rawN);
    if (n == null) {
      Responses.error(ctx, 400, "n must be an integer from 1 to " + maxN + " (--max-n), got '" + rawN + "'");
      return;
    }
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
    JsonObject current = new JsonObject().put("type", type).put("n", n).put("started", Instant.now().toString());
    if (!running.compareAndSet(null, current)) {
      Responses.json(ctx, 409, new JsonObject()
          .put("error", "an experiment is already running; experiments never overlap, so timings stay honest")
          .put("running", running.get()));
      return;
    }
    Experiment experiment = experiment(type, n, channel);
    LOG.info(() -> "experiment " + type + " n=" + n + " started");
    Promise<Void> answered = Promise.promise();
    answering = answered.future(); // before the run starts, so that a stop in between waits for this answer
    runner.run(experiment, channel).transform(ar -> {
      running.set(null);
      if (ar.succeeded()) {
        Report report = ar.result();
        LOG.info(() -> "experiment " + type + " n=" + n + (report.interrupted() ? " interrupted" : " done") + " in "
            + GoDuration.format(report.elapsedNanos()) + ": ok=" + report.ok() + " failed=" + report.failed()
            + " per pod " + report.countPerIp());
        return Responses.json(ctx, 200, report.toJson());
      }
      if (ar.cause() == ExperimentRunner.SHUTTING_DOWN) {
        return Responses.error(ctx, 503, "experiment not started: " + ExperimentRunner.SHUTTING_DOWN.reason());
      }
      LOG.warning(() -> "experiment " + type + " n=" + n + " could not run: " + ar.cause());
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

  private Experiment experiment(String type, int n, GreeterChannel channel) {
    Integer connectionBound = channel.maxOpenConnections();
    int cap = connectionBound == null ? maxInFlight : Math.min(maxInFlight, connectionBound);
    return new Experiment(type, n, Math.min(cap, n), connectionBound);
  }

  private Integer parseN(String raw) {
    try {
      int n = Integer.parseInt(raw.trim());
      return n >= 1 && n <= maxN ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Absent takes the default; given, even empty, it is checked as given (so {@code n=} is a 400, not n=1000). */
  private static String param(RoutingContext ctx, String name, String fallback) {
    String value = ctx.queryParams().get(name);
    return value == null ? fallback : value;
  }
}
