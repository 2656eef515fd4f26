package lab.grpclb.discovery;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;
import lab.grpclb.config.KubeConfig;

/**
 * Keeps the Service's endpoints current from its EndpointSlices: list, then watch from the list's
 * resourceVersion with bookmarks; reconnect when the server ends the watch; relist on 410 Gone; back off
 * (jittered, capped) on errors while keeping the last good endpoints; report 401/403 loudly; stop for good
 * on {@link #close()}. Runs on one context, so its state needs no locks; {@link #status()} reads an immutable
 * snapshot published in one write.
 */
public final class EndpointSliceWatch {
  private static final Logger LOG = Logger.getLogger(EndpointSliceWatch.class.getName());
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  private final Vertx vertx;
  private final KubeApiClient api;
  private final KubeConfig config;
  private final EndpointsListener listener;
  private final Map<String, JsonObject> slices = new TreeMap<>();
  private final Backoff backoff;
  private final Promise<Void> stopped = Promise.promise();
  private Context context;
  private WatchState state = WatchState.STARTING;
  private String resourceVersion;
  private EndpointSet endpoints = EndpointSet.EMPTY;
  private int reconnects;
  private int relists;
  /** By {@link WatchErrorKind#ordinal()}; written on the watch's context, read by /metrics. */
  private final java.util.concurrent.atomic.AtomicLongArray errors =
      new java.util.concurrent.atomic.AtomicLongArray(WatchErrorKind.values().length);
  private String lastError;
  private Instant lastErrorAt;
  private boolean synced;
  /** The list or watch in flight, and the retry timer while backing off (-1: none): what close() cancels. */
  private ApiRequest<?> inFlight;
  private long retryTimer = -1;
  private Instant nextRetryAt;
  private volatile WatchStatus status = WatchStatus.INITIAL;
  /** Bumped by every relist, so events and ends of a superseded watch are ignored. */
  private int generation;

  public EndpointSliceWatch(Vertx vertx, KubeApiClient api, EndpointsListener listener) {
    this(vertx, api, listener, new Backoff(250, 30_000));
  }

  EndpointSliceWatch(Vertx vertx, KubeApiClient api, EndpointsListener listener, Backoff backoff) {
    this.vertx = vertx;
    this.api = api;
    this.config = api.config();
    this.listener = listener;
    this.backoff = backoff;
  }

  /** The collection path with the Service's label selector: the one URL this watch reads. */
  public static String path(KubeConfig config) {
    return "/apis/discovery.k8s.io/v1/namespaces/" + config.namespace() + "/endpointslices?labelSelector="
        + URLEncoder.encode(SERVICE_NAME_LABEL + "=" + config.service(), StandardCharsets.UTF_8);
  }

  public void start() {
    context = vertx.getOrCreateContext();
    context.runOnContext(v -> relist());
  }

  /**
   * Stops for good: resets the list or watch in flight (the server sees the watch close), cancels a pending
   * retry. Once the future completes, the listener gets no more endpoints and no request is sent.
   */
  public Future<Void> close() {
    if (context == null) {
      publish(WatchState.STOPPED);
      stopped.tryComplete();
      return stopped.future();
    }
    context.runOnContext(v -> {
      if (state == WatchState.STOPPED) {
        return;
      }
      vertx.cancelTimer(retryTimer);
      retryTimer = -1;
      nextRetryAt = null;
      publish(WatchState.STOPPED);
      (inFlight == null ? Future.<Void>succeededFuture() : inFlight.close()).onComplete(stopped);
      inFlight = null;
    });
    return stopped.future();
  }

  public WatchStatus status() {
    return status;
  }

  /** Errors of this kind since the watch started. */
  public long errors(WatchErrorKind kind) {
    return errors.get(kind.ordinal());
  }

  private void relist() {
    if (state == WatchState.STOPPED) {
      return;
    }
    relists++;
    generation++;
    publish(WatchState.LISTING);
    ApiRequest<JsonObject> listing = replaceInFlight(api.list(path(config)));
    listing.result().onComplete(ar -> {
      if (state == WatchState.STOPPED) {
        return;
      }
      if (ar.failed()) {
        failed(ar.cause(), this::relist);
        return;
      }
      JsonObject list = ar.result();
      Map<String, JsonObject> listed = new TreeMap<>();
      try {
        for (Object item : list.getJsonArray("items", new io.vertx.core.json.JsonArray())) {
          JsonObject slice = (JsonObject) item;
          listed.put(slice.getJsonObject("metadata").getString("name"), slice);
        }
        resourceVersion = Objects.requireNonNull(list.getJsonObject("metadata").getString("resourceVersion"));
      } catch (RuntimeException malformed) {
        failed(new IllegalStateException("malformed EndpointSlice list from the API server: " + malformed), this::relist);
        return;
      }
      slices.clear();
      slices.putAll(listed);
      synced = true;
      backoff.reset();
      publishEndpoints();
      watch();
    });
  }

  private void watch() {
    if (state == WatchState.STOPPED) {
      return;
    }
    // Like client-go, ask the server to end the watch after 5-10 minutes; a stream that went silent (a dead
    // connection sends no end) is caught by the client's idle timeout instead (see KubeApiClient).
    long timeoutSeconds = 300 + ThreadLocalRandom.current().nextLong(300);
    String url = path(config) + "&watch=true&allowWatchBookmarks=true&resourceVersion=" + resourceVersion
        + "&timeoutSeconds=" + timeoutSeconds;
    publish(WatchState.WATCHING);
    int current = generation;
    ApiRequest<Void> watching = replaceInFlight(api.watch(url, event -> {
      if (current == generation && state != WatchState.STOPPED) {
        onEvent(event);
      }
    }));
    watching.result().onComplete(ar -> {
      if (state == WatchState.STOPPED || current != generation) {
        return; // stopped, or a 410 in the stream already started a relist
      }
      if (ar.failed()) {
        failed(ar.cause(), ar.cause() instanceof KubeApiException e && e.status() == 410 ? this::relist : this::watch);
        return;
      }
      reconnects++;
      LOG.info(() -> "EndpointSlice watch ended by the server; resuming from resourceVersion " + resourceVersion);
      watch();
    });
  }

  /** The new request is the one close() cancels; a superseded one (a watch that sent 410) is stopped now. */
  private <T> ApiRequest<T> replaceInFlight(ApiRequest<T> next) {
    if (inFlight != null) {
      inFlight.close();
    }
    inFlight = next;
    return next;
  }

  private void onEvent(JsonObject event) {
    String type = event.getString("type", "");
    JsonObject object = event.getJsonObject("object", new JsonObject());
    JsonObject metadata = object.getJsonObject("metadata", new JsonObject());
    switch (type) {
      case "ADDED", "MODIFIED" -> {
        if (metadata.getString("name") == null) {
          LOG.warning(() -> "ignoring a watch event without metadata.name: " + event.encode());
          return;
        }
        slices.put(metadata.getString("name"), object);
        resourceVersion = metadata.getString("resourceVersion", resourceVersion);
        backoff.reset();
        publishEndpoints();
      }
      case "DELETED" -> {
        slices.remove(String.valueOf(metadata.getString("name")));
        resourceVersion = metadata.getString("resourceVersion", resourceVersion);
        publishEndpoints();
      }
      case "BOOKMARK" -> resourceVersion = metadata.getString("resourceVersion", resourceVersion);
      case "ERROR" -> onErrorEvent(object);
      default -> LOG.warning(() -> "ignoring watch event of unknown type '" + type + "'");
    }
  }

  private void onErrorEvent(JsonObject statusObject) {
    int code = statusObject.getInteger("code", 0);
    String message = statusObject.getString("message", "");
    errors.incrementAndGet((code == 410 ? WatchErrorKind.GONE : WatchErrorKind.ERROR_EVENT).ordinal());
    if (code == 410) {
      recordError("410 Gone (" + message + "): relisting");
      LOG.info(() -> "EndpointSlice watch: resourceVersion " + resourceVersion + " expired (410); relisting");
      relist();
    } else {
      recordError("watch ERROR event " + code + ": " + message);
    }
  }

  private void failed(Throwable error, Runnable retry) {
    errors.incrementAndGet(WatchErrorKind.of(error).ordinal());
    recordError(error.getMessage() == null ? error.toString() : error.getMessage());
    long delay = backoff.nextDelayMs();
    boolean configuration = error instanceof KubeApiException e && (e.status() == 401 || e.status() == 403);
    String line = "EndpointSlice discovery failed: " + error.getMessage() + "; keeping the last "
        + endpoints.all().size() + " endpoints, retrying in " + delay + " ms";
    if (configuration) {
      LOG.severe(line);
    } else {
      LOG.warning(line);
    }
    nextRetryAt = Instant.now().plusMillis(delay);
    publish(configuration ? WatchState.UNAUTHORIZED : WatchState.BACKING_OFF);
    retryTimer = vertx.setTimer(delay, id -> {
      retryTimer = -1;
      nextRetryAt = null;
      retry.run();
    });
  }

  private void recordError(String message) {
    lastError = message;
    lastErrorAt = Instant.now();
  }

  private void publishEndpoints() {
    EndpointSet before = endpoints;
    EndpointSet after = EndpointSet.fromSlices(slices.values(), config.servicePort());
    endpoints = after;
    publish(state);
    if (!after.equals(before)) {
      logChanges(before, after);
      listener.endpointsChanged(after);
    }
  }

  private void logChanges(EndpointSet before, EndpointSet after) {
    for (Endpoint e : after.all()) {
      if (!before.all().contains(e)) {
        LOG.info(() -> "endpoint " + e.key() + " (" + e.pod() + ") " + (before.all().stream().anyMatch(b -> b.key().equals(e.key()))
            ? "changed: ready=" + e.ready() + " serving=" + e.serving() + " terminating=" + e.terminating()
            : "added, ready=" + e.ready()));
      }
    }
    for (Endpoint e : before.all()) {
      if (after.all().stream().noneMatch(a -> a.key().equals(e.key()))) {
        LOG.info(() -> "endpoint " + e.key() + " (" + e.pod() + ") removed");
      }
    }
    // one line when the fallback begins and one when it ends, not one per endpoint change meanwhile
    if (after.fallback() && !before.fallback()) {
      LOG.warning("no ready endpoint: routing to " + after.routable().size() + " serving, terminating endpoints"
          + " until one is ready again");
    } else if (before.fallback() && !after.fallback()) {
      LOG.info(after.routable().isEmpty() ? "no endpoint left: the terminating endpoints are gone"
          : "ready endpoints again: routing to " + after.routable().size() + " of them");
    }
  }

  private void publish(WatchState next) {
    state = next;
    status = new WatchStatus(state, synced, resourceVersion, reconnects, relists, lastError, lastErrorAt,
        slices.size(), endpoints.fallback(), nextRetryAt);
  }
}
