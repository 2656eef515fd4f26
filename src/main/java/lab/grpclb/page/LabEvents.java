package lab.grpclb.page;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import lab.grpclb.experiment.ExperimentRunner;
import lab.grpclb.experiment.RunProgress;
import lab.grpclb.http.StrictQuery;

/**
 * {@code GET /events}: Server-Sent Events for the lab page. Every {@link #PERIOD_MS} while anyone listens, a
 * {@code state} event (the local cluster's pods, or null in a real cluster, and the client's {@code GET /status})
 * and, while an experiment runs and once when it ends, a {@code progress} event with its seconds since the last
 * one, its calls done out of n and about how long it has left. One timer serves every listener, and it runs only
 * while there is one.
 */
public final class LabEvents {
  /** Twice a second: a killed pod stays crashed for 1 s, and the page must show that. */
  static final long PERIOD_MS = 500;

  private final Vertx vertx;
  private final Supplier<Future<JsonObject>> status;
  private final Supplier<JsonObject> cluster;
  private final ExperimentRunner runner;
  private final Set<HttpServerResponse> listeners = ConcurrentHashMap.newKeySet();
  private long timer = -1;
  /** The timer's context: the cursor below is touched there only. */
  private Context context;
  /** The run reported last, the next second to report of it, and whether its final counts went out. */
  private long cursorRun;
  private int cursorSecond;
  private boolean cursorEnded;
  private boolean asking;

  /** {@code cluster} is null without a local cluster (--mode client): the page greys its controls out. */
  public LabEvents(Vertx vertx, Supplier<Future<JsonObject>> status, Supplier<JsonObject> cluster, ExperimentRunner runner) {
    this.vertx = vertx;
    this.status = status;
    this.cluster = cluster;
    this.runner = runner;
  }

  public void mount(Router router) {
    router.get("/events").handler(StrictQuery.allow()).handler(this::listen);
  }

  private void listen(RoutingContext ctx) {
    HttpServerResponse response = ctx.response().setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
    response.write("retry: " + PERIOD_MS + "\n\n");
    listeners.add(response);
    response.closeHandler(v -> listeners.remove(response));
    state().onSuccess(state -> send(response, "state", state)); // the page fills at once, not a second later
    startTimer();
  }

  private synchronized void startTimer() {
    if (timer < 0) {
      context = vertx.getOrCreateContext();
      timer = vertx.setPeriodic(PERIOD_MS, id -> tick());
    }
  }

  private synchronized boolean stopTimerIfUnheard() {
    if (listeners.isEmpty() && timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    return timer < 0;
  }

  private void tick() {
    if (stopTimerIfUnheard()) {
      return;
    }
    state().onSuccess(state -> broadcast("state", state));
    if (!asking) { // a firer busy for over a second must not get the same seconds asked twice
      asking = true;
      Context here = context;
      runner.progress(cursorRun, cursorSecond).onComplete(ar -> here.runOnContext(v -> {
        asking = false;
        if (ar.succeeded()) {
          ar.result().ifPresent(this::progressed);
        }
      }));
    }
  }

  private void progressed(RunProgress progress) {
    boolean sameRun = progress.run() == cursorRun;
    if (sameRun && cursorEnded) {
      return; // its final counts went out already
    }
    cursorRun = progress.run();
    cursorSecond = progress.seconds().isEmpty() ? (sameRun ? cursorSecond : 0)
        : progress.seconds().get(progress.seconds().size() - 1).index() + 1;
    cursorEnded = progress.ended();
    broadcast("progress", json(progress));
  }

  private Future<JsonObject> state() {
    JsonObject view = cluster == null ? null : cluster.get();
    return status.get().map(s -> new JsonObject().put("mode", cluster == null ? "client" : "local")
        .put("cluster", view).put("status", s));
  }

  private void broadcast(String event, JsonObject data) {
    listeners.forEach(listener -> send(listener, event, data));
  }

  private static void send(HttpServerResponse listener, String event, JsonObject data) {
    if (!listener.ended() && !listener.closed()) {
      listener.write("event: " + event + "\ndata: " + data.encode() + "\n\n"); // encode() is one line
    }
  }

  static JsonObject json(RunProgress progress) {
    JsonObject perIp = new JsonObject();
    progress.perIp().forEach((ip, c) -> perIp.put(ip, new JsonObject().put("ok", c.ok()).put("errors", c.errors())));
    JsonArray seconds = new JsonArray();
    progress.seconds().forEach(s -> seconds.add(new JsonObject().put("second", s.index())
        .put("completed", s.completed()).put("failed", s.failed()).put("ok_per_ip", new JsonObject(new HashMap<String, Object>(s.okPerIp())))
        .put("p50_ms", s.p50Ms()).put("p99_ms", s.p99Ms())));
    return new JsonObject().put("run", progress.run()).put("type", progress.type()).put("n", progress.n())
        .put("ended", progress.ended()).put("in_flight", progress.inFlight()).put("ok", progress.ok())
        .put("failed", progress.failed()).put("done", progress.done()).put("elapsed_ms", progress.elapsedMs())
        .put("left_ms", progress.leftMs()).put("per_ip", perIp).put("seconds", seconds);
  }
}
