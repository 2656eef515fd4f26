package lab.grpclb.report;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.lang.ref.Reference;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import lab.grpclb.config.ClientType;
import lab.grpclb.experiment.ReportJson;

/**
 * The local cluster as a user drives it: the experiment client's HTTP API and the cluster controls on the same
 * port, over loopback. The report uses nothing else, so it measures what a curl user would see: like curl, one
 * connection per request, and every control request has a time limit, so a report never hangs on one. Each
 * answer's body is asked for in the step that sends the request: Vert.x 5.0.7 never completes a body asked for
 * after the response ended (vert.x#5904), which a step attached later, from another thread, can be. That was the
 * "unanswered" loopback request the suite used to ask again (issue #20; ResponseBodyRaceTest).
 */
final class LabApi {
  /** A query of the cluster or the client: answered at once, so this is a stalled machine's margin. */
  static final long QUERY_TIMEOUT_MS = 6_000;
  /**
   * A scale or a pod change answers once the pods are ready, and within the deployment's own limit (30 s) when
   * they are not: one unanswered for longer was lost on the way.
   */
  static final long CHANGE_TIMEOUT_MS = 35_000;
  /** A pod deletion answers once its replacement serves. */
  static final long DELETE_TIMEOUT_MS = 60_000;
  /** A rollout answers once every pod is replaced (its own limit is 120 s). */
  static final long ROLLOUT_TIMEOUT_MS = 150_000;
  private final Vertx vertx;
  private final HttpClient http;
  /** The client's --api-token, sent as a bearer token; null for an open API. */
  private final String token;
  /** Where each experiment's start is told, for the report's progress line. */
  private final ReportProgress progress;

  LabApi(Vertx vertx, int port, String token) {
    this(vertx, port, token, ReportProgress.none());
  }

  LabApi(Vertx vertx, int port, String token, ReportProgress progress) {
    this.vertx = vertx;
    this.progress = progress;
    this.http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setKeepAlive(false));
    this.token = token;
  }

  /** The same API, token included, of another client on {@code port} (one a {@link ClientStarter} started). */
  LabApi onPort(int port) {
    return new LabApi(vertx, port, token, progress);
  }

  Future<MeasuredRun> experiment(String type, int n) {
    return experiment(type, "n=" + n);
  }

  /** An experiment with the given query besides its type (a load shape, runs=K). */
  Future<MeasuredRun> experiment(String type, String query) {
    progress.runStarted(type, query);
    return call(HttpMethod.GET, "/experiment/client?type=" + URLEncoder.encode(type, StandardCharsets.UTF_8) + "&" + query, 200,
        0).map(json -> new MeasuredRun(ReportJson.fromJson(json)));
  }

  /** An experiment through the fleet of clients, with the fields its full answer adds (per pod, per client). */
  Future<FleetRun> fleetExperiment(String type, String query) {
    progress.runStarted(type, query);
    return call(HttpMethod.GET, "/experiment/client?type=" + URLEncoder.encode(type, StandardCharsets.UTF_8) + "&" + query, 200,
        0).map(FleetRun::fromJson);
  }

  /** How many experiment clients run now, as {@code GET /cluster} counts them. */
  Future<Integer> clients() {
    return query("/cluster").map(json -> json.getInteger("clients", 1));
  }

  /** {@code POST /cluster/clients?replicas=M}: answers once the new clients have listed the pods. */
  Future<Void> clients(int replicas) {
    return set("/cluster/clients?replicas=" + replicas);
  }

  /** The zones, the cross-zone delay and each ready pod's zone, from {@code GET /cluster}. */
  Future<ZoneView> zones() {
    return query("/cluster").map(ZoneView::fromJson);
  }

  /** {@code POST /cluster/pods/NAME/zone?zone=Z}: the pod runs in that zone from now on, its endpoint's too. */
  Future<Void> zone(String pod, String zone) {
    return set(podPath(pod) + "/zone?zone=" + URLEncoder.encode(zone, StandardCharsets.UTF_8));
  }

  Future<ClusterView> cluster() {
    return query("/cluster").map(ClusterView::fromJson);
  }

  /** Every pod's capacity model and queue now, from the same {@code GET /cluster}. */
  Future<List<PodCapacity>> capacities() {
    return query("/cluster").map(PodCapacity::listFromJson);
  }

  /** Gives one pod a capacity model from its next call on. */
  Future<Void> capacity(String pod, PodCapacity.Setting setting) {
    return set(podPath(pod) + "/capacity?" + setting.query());
  }

  /**
   * How long weighted_round_robin needs before its weights count (gRFC A58): the blackout and two weight updates, as
   * ClientWithKubeResolver's {@code /status} gives its settings.
   */
  Future<Long> weightsSettleMs() {
    return query("/status").map(status -> {
      JsonObject wrr = status.getJsonObject("kubernetes").getJsonObject("balancer").getJsonObject("weighted_round_robin");
      return wrr.getLong("blackout_ms") + 2 * wrr.getLong("update_ms");
    });
  }

  Future<Void> scale(int replicas) {
    return set("/cluster/scale?replicas=" + replicas);
  }

  /** {@code kubectl delete pod}: completes with the Deployment's replacement once it serves. */
  Future<ClusterView.PodView> deletePod(String name) {
    String uri = "/cluster/pods/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
    return call(HttpMethod.DELETE, uri, 202, DELETE_TIMEOUT_MS).compose(answer -> {
      JsonObject replacement = answer.getJsonObject("replacement");
      return replacement == null
          ? Future.failedFuture("DELETE " + uri + " named no replacement: " + answer.getString("status"))
          : Future.succeededFuture(ClusterView.PodView.fromJson(replacement));
    });
  }

  /** Freezes a pod, listed ready for {@code noticedMs}; completes once it is silent. */
  Future<Void> freeze(String pod, int noticedMs) {
    return set(podPath(pod) + "/freeze?noticed_ms=" + noticedMs);
  }

  Future<Void> unfreeze(String pod) {
    return set(podPath(pod) + "/unfreeze");
  }

  /** {@code kubectl delete pod --force} of a pod given up for lost: its replacement serves already, none follows. */
  Future<Void> deleteLostPod(String name) {
    return call(HttpMethod.DELETE, podPath(name), 202, DELETE_TIMEOUT_MS).mapEmpty();
  }

  private static String podPath(String pod) {
    return "/cluster/pods/" + URLEncoder.encode(pod, StandardCharsets.UTF_8);
  }

  Future<Void> delay(String pod, int ms) {
    return set("/cluster/pods/" + URLEncoder.encode(pod, StandardCharsets.UTF_8) + "/delay?ms=" + ms);
  }

  Future<Void> errors(String pod, double rate, String status) {
    return set("/cluster/pods/" + URLEncoder.encode(pod, StandardCharsets.UTF_8) + "/errors?rate=" + rate + "&status=" + status);
  }

  /** ClientWithKubeResolver's outlier ejection, as {@code POST /balancer/outlier-ejection?QUERY} sets it. */
  Future<Void> ejection(String query) {
    return set("/balancer/outlier-ejection?" + query);
  }

  Future<Void> maxConnectionAge(int ms) {
    return set("/cluster/max-connection-age?ms=" + ms);
  }

  /** One pod's capacity, as {@code POST /cluster/pods/NAME/capacity?QUERY} sets it. */
  Future<Void> capacity(String pod, String query) {
    return set(podPath(pod) + "/capacity?" + query);
  }

  /** What the Deployment starts from now on, as {@code GET /cluster} shows it. */
  Future<PodTemplateView> podTemplate() {
    return query("/cluster").map(json -> PodTemplateView.fromJson(json.getJsonObject("pod_template")));
  }

  /** {@code POST /cluster/pod-template?QUERY}: what the Deployment starts from now on; answers the template set. */
  Future<PodTemplateView> podTemplate(String query) {
    return call(HttpMethod.POST, "/cluster/pod-template?" + query, 200, CHANGE_TIMEOUT_MS).map(PodTemplateView::fromJson);
  }

  /** {@code kubectl rollout restart}: answers once every pod is replaced. */
  Future<Void> rollout() {
    return call(HttpMethod.POST, "/cluster/rollout", 200, ROLLOUT_TIMEOUT_MS).mapEmpty();
  }

  /** The pod IPs ClientWithKubeResolver routes to, as {@code GET /status} lists its targets (ip:port). */
  Future<Set<String>> kubeResolverTargets() {
    return query("/status").map(status -> {
      Set<String> ips = new TreeSet<>();
      status.getJsonObject("types").getJsonObject(ClientType.KUBE_RESOLVER.wireName()).getJsonArray("targets")
          .forEach(target -> ips.add(String.valueOf(target).replaceFirst(":\\d+$", "")));
      return ips;
    });
  }

  Future<Void> close() {
    return http.close();
  }

  /** A GET that changes nothing. */
  private Future<JsonObject> query(String uri) {
    return call(HttpMethod.GET, uri, 200, QUERY_TIMEOUT_MS);
  }

  /** A POST that sets a value (a replica count, a delay, an error rate). */
  private Future<Void> set(String uri) {
    return call(HttpMethod.POST, uri, 200, CHANGE_TIMEOUT_MS).mapEmpty();
  }

  /**
   * {@code timeoutMs} 0: no limit but the one the answer brings itself (an experiment's call deadlines). The
   * limit covers the wait for the answer's head; its body is read in the same step, on the event loop.
   */
  private Future<JsonObject> call(HttpMethod method, String uri, int expected, long timeoutMs) {
    RequestOptions options = new RequestOptions().setMethod(method).setURI(uri);
    if (token != null) {
      options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token);
    }
    if (timeoutMs > 0) {
      options.setIdleTimeout(timeoutMs);
    }
    return http.request(options).compose(request -> request.send().transform(sent -> sent.succeeded()
            ? read(sent.result(), method, uri, expected) : unanswered(method, uri, sent.cause())),
        err -> unanswered(method, uri, err))
        .andThen(answered -> Reference.reachabilityFence(this)); // Vert.x 5 closes an HttpClient nobody holds
  }

  private static Future<JsonObject> unanswered(HttpMethod method, String uri, Throwable err) {
    return Future.failedFuture(method + " " + uri + " got no answer: " + err.getMessage());
  }

  private static Future<JsonObject> read(HttpClientResponse response, HttpMethod method, String uri, int expected) {
    return response.body().compose(body -> {
      JsonObject json;
      try {
        json = body.length() == 0 ? new JsonObject() : body.toJsonObject();
      } catch (DecodeException e) {
        return Future.failedFuture(method + " " + uri + " answered " + response.statusCode() + ", not JSON");
      }
      if (response.statusCode() != expected) {
        return Future.failedFuture(method + " " + uri + " answered " + response.statusCode() + ": "
            + json.getString("error", json.encode()));
      }
      return Future.succeededFuture(json);
    });
  }
}
