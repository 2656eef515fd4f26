package lab.grpclb.discovery;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.logging.Logger;
import lab.grpclb.config.KubeConfig;

/**
 * Keeps the Service's endpoints current from its EndpointSlices: list, then watch from the list's
 * resourceVersion with bookmarks; reconnect when the server ends the watch; relist on 410 Gone; back off
 * (jittered, capped) on errors while keeping the last good endpoints; report 401/403 loudly. Runs on one
 * context, so its state needs no locks; {@link #status()} reads a published copy.
 */
public final class EndpointSliceWatch {
  private static final Logger LOG = Logger.getLogger(EndpointSliceWatch.class.getName());
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  private final Vertx vertx;
  private final KubeApiClient api;
  private final KubeConfig config;
  private final Consumer<EndpointSet> listener;
  private final Map<String, JsonObject> slices = new TreeMap<>();
  private final Backoff backoff = new Backoff(250, 30_000);
  private Context context;
  private String resourceVersion;
  private volatile boolean stopped;
  private volatile JsonObject status = new JsonObject().put("state", "starting");
  private volatile EndpointSet endpoints = EndpointSet.EMPTY;
  private int reconnects;
  private int relists;
  private String lastError;
  private String lastErrorAt;
  private volatile boolean synced;
  /** Bumped by every relist, so events and ends of a superseded watch are ignored. */
  private int generation;

  public EndpointSliceWatch(Vertx vertx, KubeApiClient api, Consumer<EndpointSet> listener) {
    this.vertx = vertx;
    this.api = api;
    this.config = api.config();
    this.listener = listener;
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

  public void stop() {
    stopped = true;
  }

  /** Whether a list has succeeded at least once (the endpoints are known, possibly empty). */
  public boolean synced() {
    return synced;
  }

  public JsonObject status() {
    return status.copy();
  }

  private void relist() {
    if (stopped) {
      return;
    }
    relists++;
    generation++;
    publishStatus("listing");
    api.list(path(config)).onComplete(ar -> {
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
    if (stopped) {
      return;
    }
    // Like client-go, ask the server to end the watch after 5-10 minutes; a stream that went silent (a dead
    // connection sends no end) is caught by the client's idle timeout instead (see KubeApiClient).
    long timeoutSeconds = 300 + ThreadLocalRandom.current().nextLong(300);
    String url = path(config) + "&watch=true&allowWatchBookmarks=true&resourceVersion=" + resourceVersion
        + "&timeoutSeconds=" + timeoutSeconds;
    publishStatus("watching");
    int current = generation;
    api.watch(url, event -> {
      if (current == generation) {
        onEvent(event);
      }
    }).onComplete(ar -> {
      if (stopped || current != generation) {
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
    if (code == 410) {
      recordError("410 Gone (" + message + "): relisting");
      LOG.info(() -> "EndpointSlice watch: resourceVersion " + resourceVersion + " expired (410); relisting");
      relist();
    } else {
      recordError("watch ERROR event " + code + ": " + message);
    }
  }

  private void failed(Throwable error, Runnable retry) {
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
    publishStatus(configuration ? "unauthorized" : "backing off");
    vertx.setTimer(delay, id -> retry.run());
  }

  private void recordError(String message) {
    lastError = message;
    lastErrorAt = Instant.now().toString();
  }

  private void publishEndpoints() {
    EndpointSet before = endpoints;
    EndpointSet after = EndpointSet.fromSlices(slices.values(), config.servicePort());
    endpoints = after;
    publishStatus(status.getString("state"));
    if (!after.equals(before)) {
      logChanges(before, after);
      listener.accept(after);
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
    if (after.fallback()) {
      LOG.warning("no ready endpoint: routing to " + after.routable().size() + " serving, terminating endpoints");
    }
  }

  private void publishStatus(String state) {
    status = new JsonObject()
        .put("state", state)
        .put("connected", "watching".equals(state))
        .put("resourceVersion", resourceVersion)
        .put("reconnects", reconnects)
        .put("lists", relists)
        .put("last_error", lastError)
        .put("last_error_at", lastErrorAt)
        .put("slices", slices.size())
        .put("fallback_to_terminating", endpoints.fallback());
  }
}
