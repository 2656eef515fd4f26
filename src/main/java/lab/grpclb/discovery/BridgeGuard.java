package lab.grpclb.discovery;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The API server the Vert.x Kubernetes bridge talks to: plain HTTP on a loopback port, forwarding only its list
 * and watch of the namespace's Services to the real API server through our {@link KubeApiClient} (TLS verified
 * with the service-account CA, token re-read). It answers the bridge in the one way the bridge handles well:
 * <ul>
 *   <li>the bridge feeds watch ERROR events to its records (a Status has no spec: NullPointerException), so they
 *       never reach it. An ERROR as the first event (the API server's 200 + 410 Expired for a too-old
 *       resourceVersion) becomes the answer's status; an ERROR later ends the stream, and a 410 there is
 *       remembered: the next watch from that resourceVersion gets 410 at once;</li>
 *   <li>the bridge re-watches at once from the same resourceVersion after any 200, and relists (after 2 s) only
 *       on another status. So a watch's head waits for its first event, and an upstream failure before it is a
 *       non-200 answer: the bridge backs off instead of looping.</li>
 * </ul>
 * The bridge authenticates with a random per-start token, so other local processes cannot read through ours.
 */
public final class BridgeGuard {
  /** What the guard did: requests forwarded, ERROR events kept from the bridge, and the non-200 answers it gave. */
  public record GuardedRequests(long lists, long watches, long errorEventsStripped, long expiredAnswered,
                                long failuresAnswered, long refused) {
    public JsonObject toJson() {
      return new JsonObject().put("lists", lists).put("watches", watches)
          .put("error_events_stripped", errorEventsStripped).put("expired_answered", expiredAnswered)
          .put("failures_answered", failuresAnswered).put("refused", refused);
    }
  }

  private final Vertx vertx;
  private final KubeApiClient api;
  private final String servicesPath;
  private final String token = UUID.randomUUID().toString();
  private final Set<ApiRequest<?>> inFlight = ConcurrentHashMap.newKeySet();
  /** A resourceVersion whose watch the API server expired after its head was sent: the next watch from it gets 410. */
  private final AtomicReference<String> expiredRv = new AtomicReference<>();
  private final AtomicLong lists = new AtomicLong();
  private final AtomicLong watches = new AtomicLong();
  private final AtomicLong errorEventsStripped = new AtomicLong();
  private final AtomicLong expiredAnswered = new AtomicLong();
  private final AtomicLong failuresAnswered = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private HttpServer server;

  public BridgeGuard(Vertx vertx, KubeApiClient api) {
    this.vertx = vertx;
    this.api = api;
    this.servicesPath = "/api/v1/namespaces/" + api.config().namespace() + "/services";
  }

  /** Listens on the loopback address (port 0: any free one); completes with the port. */
  public Future<Integer> listen(String loopbackHost, int port) {
    server = vertx.createHttpServer(new HttpServerOptions().setHost(loopbackHost).setPort(port)).requestHandler(this::handle);
    return server.listen().map(HttpServer::actualPort);
  }

  /** The bearer token the bridge must present. */
  public String token() {
    return token;
  }

  public GuardedRequests counts() {
    return new GuardedRequests(lists.get(), watches.get(), errorEventsStripped.get(), expiredAnswered.get(),
        failuresAnswered.get(), refused.get());
  }

  /** Stops every forwarded request (so the API server sees its watch close), then the server. */
  public Future<Void> close() {
    return Future.join(inFlight.stream().map(ApiRequest::close).toList()).otherwiseEmpty()
        .compose(v -> server == null ? Future.succeededFuture() : server.close());
  }

  private void handle(HttpServerRequest request) {
    if (!("Bearer " + token).equals(request.getHeader("Authorization"))) {
      refuse(request, 401, "Unauthorized", "the bridge guard serves only the Vert.x bridge it was started for");
    } else if (request.method() != HttpMethod.GET) {
      refuse(request, 403, "Forbidden", "the bridge guard only reads: GET " + servicesPath + " (list, or ?watch=true)");
    } else if (!servicesPath.equals(request.path())) {
      refuse(request, 404, "NotFound", "the bridge guard forwards only GET " + servicesPath + " (list, or ?watch=true)");
    } else if ("true".equals(request.getParam("watch"))) {
      watch(request);
    } else {
      list(request);
    }
  }

  private void list(HttpServerRequest request) {
    lists.incrementAndGet();
    ApiRequest<JsonObject> call = track(api.list(request.uri()), request.response());
    call.result().onComplete(ar -> {
      if (ar.succeeded()) {
        json(request.response(), 200, ar.result());
      } else {
        upstreamFailed(request.response(), ar.cause());
      }
    });
  }

  private void watch(HttpServerRequest request) {
    String rv = request.getParam("resourceVersion");
    if (rv != null && expiredRv.compareAndSet(rv, null)) {
      expired(request.response(), status(410, "Expired", "too old resource version: " + rv));
      return;
    }
    watches.incrementAndGet();
    new Relay(request, rv).start();
  }

  /** One watch, upstream to the bridge: the head waits for the first event, ERROR events end it. */
  private final class Relay {
    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final String rv;
    private ApiRequest<Void> call;

    Relay(HttpServerRequest request, String rv) {
      this.request = request;
      this.response = request.response();
      this.rv = rv;
    }

    void start() {
      call = track(api.watch(request.uri(), this::onEvent), response);
      call.result().onComplete(ar -> {
        if (open() && (ar.succeeded() || response.headWritten())) {
          head().end(); // ended or broken mid-stream: the bridge resumes from its resourceVersion
        } else if (open()) {
          upstreamFailed(response, ar.cause());
        }
      });
    }

    private void onEvent(JsonObject event) {
      if (!open()) {
        return;
      }
      if (!"ERROR".equals(event.getString("type"))) {
        head().write(event.encode() + "\n");
        return;
      }
      errorEventsStripped.incrementAndGet();
      JsonObject status = event.getValue("object") instanceof JsonObject object ? object : new JsonObject();
      int code = status.getValue("code") instanceof Integer c && c >= 400 && c < 600 ? c : 500;
      if (!response.headWritten()) {
        if (code == 410) {
          expired(response, status);
        } else {
          failed(response, code, status);
        }
      } else {
        if (code == 410 && rv != null) {
          expiredRv.set(rv);
        }
        response.end();
      }
      call.close();
    }

    private HttpServerResponse head() {
      if (!response.headWritten()) {
        response.setChunked(true).putHeader("content-type", "application/json");
      }
      return response;
    }

    private boolean open() {
      return !response.ended() && !response.closed();
    }
  }

  /** Tracks the call while it runs, and stops it if the bridge goes away first. */
  private <T> ApiRequest<T> track(ApiRequest<T> call, HttpServerResponse response) {
    inFlight.add(call);
    call.result().onComplete(ar -> inFlight.remove(call));
    response.closeHandler(v -> call.close());
    return call;
  }

  private void upstreamFailed(HttpServerResponse response, Throwable cause) {
    if (cause instanceof KubeApiException e && e.status() == 410) {
      expired(response, status(410, "Expired", e.getMessage()));
    } else if (cause instanceof KubeApiException e) {
      failed(response, e.status(), status(e.status(), "UpstreamError", e.getMessage()));
    } else {
      failed(response, 502, status(502, "BadGateway", "the API server could not be reached: " + cause.getMessage()));
    }
  }

  private void expired(HttpServerResponse response, JsonObject status) {
    expiredAnswered.incrementAndGet();
    json(response, 410, status);
  }

  private void failed(HttpServerResponse response, int code, JsonObject status) {
    failuresAnswered.incrementAndGet();
    json(response, code, status);
  }

  private void refuse(HttpServerRequest request, int code, String reason, String message) {
    refused.incrementAndGet();
    json(request.response(), code, status(code, reason, message).put("error", message));
  }

  private static void json(HttpServerResponse response, int code, JsonObject body) {
    if (!response.ended() && !response.closed()) {
      response.setStatusCode(code).putHeader("content-type", "application/json").end(body.encode());
    }
  }

  private static JsonObject status(int code, String reason, String message) {
    return new JsonObject().put("kind", "Status").put("apiVersion", "v1").put("metadata", new JsonObject())
        .put("status", "Failure").put("message", message).put("reason", reason).put("code", code);
  }
}
