package lab.grpclb.local;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The open watch streams: each starts with the list or the changes since its resourceVersion, then gets
 * every later change that matches it, bookmarks if it asked for them, and ends at its timeout. Everything
 * here runs on the control plane's context; the store's changes reach it through that context's queue, in
 * order, and a watch skips those its start already covered.
 */
final class WatchHub {
  /** What a client asked to watch (in one namespace or all); {@code from} null or "0" means "list first". */
  record Request(ApiResource resource, String namespace, Predicate<JsonObject> selector, String from,
                 boolean bookmarks, long lifetimeMs) {
  }

  private final Vertx vertx;
  private final Context context;
  private final ObjectStore store;
  private final long bookmarkIntervalMs;
  private final Runnable onExpired;
  private final List<Watch> watches = new CopyOnWriteArrayList<>();

  /** {@code onExpired} counts each 410 answered to a resume the history no longer reaches. */
  WatchHub(Vertx vertx, Context context, ObjectStore store, long bookmarkIntervalMs, Runnable onExpired) {
    this.vertx = vertx;
    this.context = context;
    this.store = store;
    this.bookmarkIntervalMs = bookmarkIntervalMs;
    this.onExpired = onExpired;
  }

  /** The store's listener: called under its lock from any thread, so it only queues the event. */
  void publish(ObjectStore.Event event) {
    context.runOnContext(v -> watches.forEach(w -> w.offer(event)));
  }

  /**
   * Answers a watch request with a chunked stream; {@code encode} turns a stored object into what this
   * client reads (the object with its kind, or a Table row).
   */
  void open(HttpServerRequest http, Request request, Function<JsonObject, JsonObject> encode) {
    HttpServerResponse response = http.response().setChunked(true).putHeader("content-type", "application/json");
    Watch watch = new Watch(http, request, encode);
    StringBuilder initial = new StringBuilder();
    if (request.from() == null || request.from().isEmpty() || request.from().equals("0")) {
      ObjectStore.Snapshot snapshot = store.list(request.resource(), request.namespace(), request.selector());
      snapshot.items().forEach(o -> initial.append(watch.line("ADDED", o)));
      watch.sentRv = snapshot.resourceVersion();
    } else {
      ObjectStore.Resume resume = store.since(parseRv(request.from()), watch::wants);
      if (resume instanceof ObjectStore.Resume.Changes changes) {
        changes.events().forEach(e -> initial.append(watch.line(e.type().name(), e.object())));
        watch.sentRv = changes.resourceVersion();
      } else {
        onExpired.run();
        response.end(event("ERROR", expiredStatus(request.from())).encode() + "\n");
        return;
      }
    }
    watches.add(watch);
    response.write(initial.toString());
    long endTimer = vertx.setTimer(request.lifetimeMs(), id -> watch.end());
    long bookmarkTimer = request.bookmarks() ? vertx.setPeriodic(bookmarkIntervalMs, id -> watch.bookmark()) : -1;
    Runnable forget = () -> {
      watches.remove(watch);
      vertx.cancelTimer(endTimer);
      vertx.cancelTimer(bookmarkTimer);
    };
    response.closeHandler(v -> forget.run());
    response.endHandler(v -> forget.run());
  }

  int count() {
    return watches.size();
  }

  /** Ends every open watch cleanly, as the API server does when a watch times out or it restarts. */
  void endAll() {
    watches.forEach(Watch::end);
  }

  /** Cuts every open watch without its last chunk; returns how many. */
  int cutAll() {
    List<Watch> open = List.copyOf(watches);
    open.forEach(Watch::cut);
    return open.size();
  }

  /** One open watch stream. */
  private final class Watch {
    private final HttpServerRequest http;
    private final HttpServerResponse response;
    private final Request request;
    private final Function<JsonObject, JsonObject> encode;
    /** Every change up to here is already in the stream (its start covered it, or it was sent). */
    private long sentRv;

    Watch(HttpServerRequest http, Request request, Function<JsonObject, JsonObject> encode) {
      this.http = http;
      this.response = http.response();
      this.request = request;
      this.encode = encode;
    }

    boolean wants(ObjectStore.Event e) {
      return e.resource() == request.resource() && request.selector().test(e.object())
          && (request.namespace().equals(ObjectStore.ALL_NAMESPACES) || e.namespace().equals(request.namespace()));
    }

    String line(String type, JsonObject object) {
      return event(type, encode.apply(object)).encode() + "\n";
    }

    void offer(ObjectStore.Event e) {
      if (e.resourceVersion() > sentRv && wants(e)) {
        sentRv = e.resourceVersion();
        write(line(e.type().name(), e.object()));
      }
    }

    /**
     * The store's resourceVersion now, written after the changes queued before it: every change up to it
     * has reached the stream when the client reads the bookmark.
     */
    void bookmark() {
      long rv = store.resourceVersion();
      context.runOnContext(v -> write(event("BOOKMARK", new JsonObject()
          .put("kind", request.resource().kind).put("apiVersion", request.resource().apiVersion)
          .put("metadata", new JsonObject().put("resourceVersion", String.valueOf(rv)))).encode() + "\n"));
    }

    private void write(String chunk) {
      if (!response.ended() && !response.closed()) {
        response.write(chunk);
      }
    }

    void end() {
      watches.remove(this);
      context.runOnContext(v -> {
        if (!response.ended() && !response.closed()) {
          response.end();
        }
      });
    }

    /** Ends the stream without its last chunk: HTTP/1.1 can only say so by closing the connection. */
    void cut() {
      watches.remove(this);
      context.runOnContext(v -> {
        if (!response.ended() && !response.closed()) {
          if (http.version() == HttpVersion.HTTP_2) {
            response.reset();
          } else {
            http.connection().close();
          }
        }
      });
    }
  }

  private static JsonObject event(String type, JsonObject object) {
    return new JsonObject().put("type", type).put("object", object);
  }

  private static JsonObject expiredStatus(String rv) {
    return new JsonObject().put("kind", "Status").put("apiVersion", "v1").put("metadata", new JsonObject())
        .put("status", "Failure").put("message", "too old resource version: " + rv)
        .put("reason", "Expired").put("code", 410);
  }

  private static long parseRv(String rv) {
    try {
      return Long.parseLong(rv);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
