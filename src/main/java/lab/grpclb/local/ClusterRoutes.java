package lab.grpclb.local;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Logger;
import lab.grpclb.client.GreeterChannel;
import lab.grpclb.config.Capacity;
import lab.grpclb.config.ClientType;
import lab.grpclb.config.ErrorInjection;
import lab.grpclb.config.FlagTable;
import lab.grpclb.config.LocalConfig;
import lab.grpclb.config.MaxConnectionAge;
import lab.grpclb.config.PlainNumber;
import lab.grpclb.config.ServiceTime;
import lab.grpclb.config.WarmUp;
import lab.grpclb.config.Work;
import lab.grpclb.http.BadRequest;
import lab.grpclb.http.Responses;
import lab.grpclb.http.StrictQuery;
import lab.grpclb.server.ServerLoad;

/**
 * The local cluster's controls, what a user would otherwise do with kubectl, on the experiment client's port:
 * {@code GET /cluster}, {@code POST /cluster/scale?replicas=N}, {@code DELETE /cluster/pods/NAME},
 * {@code POST /cluster/pods/NAME/kill}, {@code POST /cluster/pods/NAME/freeze?noticed_ms=M},
 * {@code POST /cluster/pods/NAME/unfreeze}, {@code POST /cluster/pods/NAME/delay?ms=M},
 * {@code POST /cluster/pods/NAME/errors?rate=R&status=S}, {@code POST /cluster/pods/NAME/health?status=S},
 * {@code POST /cluster/pods/NAME/zone?zone=Z},
 * {@code POST /cluster/pods/NAME/capacity?c=C&queue=Q&service_time=T&sigma=S&work=W},
 * {@code POST /cluster/pod-template?delay_ms=D&c=C&queue=Q&service_time=T&sigma=S&work=W&warmup_ms=W&warmup_factor=K},
 * {@code POST /cluster/max-connection-age?ms=M} and
 * {@code POST /cluster/rollout}.
 */
public final class ClusterRoutes {
  private static final Logger LOG = Logger.getLogger(ClusterRoutes.class.getName());
  public static final int MAX_DELAY_MS = 3_600_000;
  static final int MAX_PRE_STOP_MS = 60_000;
  /**
   * How long a scale waits, once its pods serve, for ClientWithKubeResolver to pick exactly the ready pods. A watch
   * and a handshake take milliseconds; past this the scale answers anyway, saying what the client picks.
   */
  static final long CLIENT_WAIT_MS = 5_000;
  private static final long CLIENT_POLL_MS = 5;
  /** The pod template's settings, each a pod flag's: the query's names and the answer's. */
  private static final String[] TEMPLATE_PARAMETERS = {"delay_ms", "c", "queue", "service_time", "sigma", "work",
      "warmup_ms", "warmup_factor"};
  private static final String[] CAPACITY_PARAMETERS = {"c", "queue", "service_time", "sigma", "work"};

  private final LocalCluster cluster;
  private final Rollout rollout;
  private final RollingUpdate rollingUpdate;
  private final DeploymentController deployment;
  private final String service;
  private final String controlPlaneUrl;
  /** ClientWithKubeResolver, once the experiment client runs; a scale waits for it to pick the ready pods. */
  private volatile GreeterChannel kubeResolver;

  ClusterRoutes(LocalCluster cluster, Rollout rollout, RollingUpdate rollingUpdate, DeploymentController deployment,
                String service, String controlPlaneUrl) {
    this.cluster = cluster;
    this.rollout = rollout;
    this.rollingUpdate = rollingUpdate;
    this.deployment = deployment;
    this.service = service;
    this.controlPlaneUrl = controlPlaneUrl;
  }

  /**
   * From now on a scale answers once {@code channel} (ClientWithKubeResolver) picks exactly the ready pods, or after
   * {@link #CLIENT_WAIT_MS} saying it does not yet: a run started right after the answer then uses every new pod.
   */
  void awaitClient(GreeterChannel channel) {
    kubeResolver = channel;
  }

  public void mount(Router router) {
    router.get("/cluster").handler(StrictQuery.allow()).handler(ctx -> Responses.json(ctx, 200, view()));
    router.post("/cluster/scale").handler(StrictQuery.allow("replicas")).handler(this::scale);
    router.delete("/cluster/pods/:name").handler(StrictQuery.allow()).handler(this::deletePod);
    router.post("/cluster/pods/:name/kill").handler(StrictQuery.allow("noticed_ms")).handler(this::killPod);
    router.post("/cluster/pods/:name/freeze").handler(StrictQuery.allow("noticed_ms")).handler(this::freezePod);
    router.post("/cluster/pods/:name/unfreeze").handler(StrictQuery.allow()).handler(this::unfreezePod);
    router.post("/cluster/pods/:name/delay").handler(StrictQuery.allow("ms")).handler(this::delay);
    router.post("/cluster/pods/:name/errors").handler(StrictQuery.allow("rate", "status")).handler(this::errors);
    router.post("/cluster/pods/:name/health").handler(StrictQuery.allow("status")).handler(this::health);
    router.post("/cluster/pods/:name/zone").handler(StrictQuery.allow("zone")).handler(this::zone);
    router.post("/cluster/pods/:name/capacity").handler(StrictQuery.allow(CAPACITY_PARAMETERS))
        .handler(this::capacity);
    router.post("/cluster/pod-template").handler(StrictQuery.allow(TEMPLATE_PARAMETERS)).handler(this::podTemplate);
    router.post("/cluster/max-connection-age").handler(StrictQuery.allow("ms", "grace_ms"))
        .handler(this::maxConnectionAge);
    router.post("/cluster/rollout").handler(StrictQuery.allow("max_surge", "max_unavailable", "pre_stop_ms"))
        .handler(this::rolloutRestart);
  }

  /** GET /cluster: every pod (terminating ones too, until they are gone), the service and the API address. */
  JsonObject view() {
    JsonArray pods = new JsonArray();
    cluster.pods().forEach(pod -> pods.add(podJson(pod)));
    return new JsonObject()
        .put("replicas", rollout.desired())
        .put("pods", pods)
        .put("zones", new JsonArray(cluster.zones().names()))
        .put("cross_zone_ms", cluster.zones().crossZoneMs())
        .put("service", service)
        .put("control_plane", controlPlaneUrl)
        .put("pods_waiting_for_address", cluster.waitingForAddress())
        .put("max_connection_age", ageJson(cluster.maxConnectionAge()))
        .put("pod_template", templateJson(cluster.template()))
        .put("rollout_in_progress", rollingUpdate.inProgress());
  }

  private static JsonObject ageJson(MaxConnectionAge age) {
    return new JsonObject().put("ms", age.ageMs()).put("grace_ms", age.graceMs()).put("enabled", !age.off());
  }

  private static JsonObject podJson(Pod pod) {
    return new JsonObject()
        .put("name", pod.name())
        .put("ip", pod.ip())
        .put("zone", pod.zone())
        .put("connections", pod.server().connectionsOpen())
        .put("ready", pod.ready())
        .put("terminating", pod.phase() == Pod.Phase.TERMINATING)
        .put("crashed", pod.phase() == Pod.Phase.CRASHED)
        .put("frozen", pod.frozenSince().isPresent())
        .put("frozen_since", pod.frozenSince().map(Object::toString).orElse(null))
        .put("calls", pod.server().greeter().callsServed())
        .put("in_flight", pod.server().greeter().callsInFlight())
        .put("delay_ms", pod.server().greeter().delayMs())
        .put("error_rate", pod.server().greeter().errors().rate())
        .put("error_status", pod.server().greeter().errors().status().name())
        .put("calls_failed_on_purpose", pod.server().greeter().callsFailedOnPurpose())
        .put("max_connection_age_ms", pod.server().maxConnectionAge().ageMs())
        .put("warmup_ms", pod.server().config().warmUp().ms())
        .put("warmup_factor", pod.server().config().warmUp().factor())
        .put("health", pod.server().health().name())
        .put("capacity", capacityJson(pod.server().greeter().capacity(), pod.server().load()));
  }

  /**
   * A pod's capacity and its load: {@code c} 0 is unlimited (then {@code utilization} is 0, see {@link ServerLoad}),
   * {@code queue} null an unlimited queue.
   */
  private static JsonObject capacityJson(Capacity capacity, ServerLoad load) {
    return new JsonObject()
        .put("c", capacity.calls())
        .put("queue", capacity.queueLimited() ? capacity.queueLimit() : null)
        .put("service_time", capacity.serviceTime().wireName())
        .put("sigma", capacity.serviceTime() instanceof ServiceTime.Lognormal l ? l.sigma() : null)
        .put("work", capacity.work().wireName())
        .put("in_service", load.inService())
        .put("queue_length", load.queueLength())
        .put("queue_wait_p99_ms", load.queueWaitP99Ms())
        .put("utilization", load.utilization())
        .put("mean_utilization", load.meanUtilization())
        .put("refused", load.refused())
        .put("rps", load.rps())
        .put("eps", load.eps());
  }

  /**
   * Like {@code kubectl scale deployments/greeter-server --replicas=N}; answers once the new pods serve and
   * ClientWithKubeResolver picks exactly the ready pods (the answer's {@code client} says whether it does, after
   * {@link #CLIENT_WAIT_MS} at most). 409 when the new pods would need more pod addresses than are free: the
   * Deployment then stays as it was.
   */
  private void scale(RoutingContext ctx) {
    Integer replicas = boundedInt(ctx, "replicas", 0, LocalConfig.MAX_REPLICAS);
    if (replicas == null) {
      return;
    }
    deployment.scale(replicas).onComplete(ar -> {
      if (ar.succeeded()) {
        awaitClientPicksReadyPods(ctx.vertx())
            .onComplete(seen -> Responses.json(ctx, 200, view().put("client", seen.result())));
      } else {
        Responses.error(ctx, ar.cause() instanceof LocalCluster.Conflict ? 409 : 504, ar.cause().getMessage());
      }
    });
  }

  /**
   * Completes (never fails) once ClientWithKubeResolver's picker holds exactly the ready pods, each READY in its
   * balancer, or after {@link #CLIENT_WAIT_MS}, with what it picks either way; null before the client runs. With no
   * ready pod there is nothing to wait for: the client routes to the draining ones meanwhile, as kube-proxy does.
   */
  private Future<JsonObject> awaitClientPicksReadyPods(Vertx vertx) {
    GreeterChannel channel = kubeResolver;
    if (channel == null) {
      return Future.succeededFuture(null);
    }
    long started = System.nanoTime();
    Promise<JsonObject> seen = Promise.promise();
    vertx.setPeriodic(0, CLIENT_POLL_MS, id -> {
      Set<String> ready = readyPodKeys();
      Set<String> picked = new TreeSet<>(channel.endpoints());
      long waitedMs = (System.nanoTime() - started) / 1_000_000;
      boolean same = ready.isEmpty() || picked.equals(ready);
      if (same || waitedMs >= CLIENT_WAIT_MS) {
        vertx.cancelTimer(id);
        JsonObject client = new JsonObject()
            .put("type", ClientType.KUBE_RESOLVER.wireName())
            .put("picks_ready_pods", same)
            .put("waited_ms", waitedMs)
            .put("endpoints", new JsonArray(List.copyOf(picked)));
        if (!same) {
          client.put("note", ClientType.KUBE_RESOLVER.wireName() + " did not pick exactly the " + ready.size() + " ready pods within "
              + CLIENT_WAIT_MS + " ms: it picks " + picked.size() + " endpoints; a run started now may miss pods "
              + "(see GET /status)");
          LOG.warning(() -> "scale to " + rollout.desired() + ": " + client.getString("note"));
        }
        seen.tryComplete(client);
      }
    });
    return seen.future();
  }

  /** The ready pods as the client's endpoint keys (ip:port). */
  private Set<String> readyPodKeys() {
    Set<String> keys = new TreeSet<>();
    cluster.readyAddresses().forEach(address -> keys.add(address.host() + ":" + address.port()));
    return keys;
  }

  /**
   * Like {@code kubectl delete pod}: the pod turns terminating and drains in the background, and the Deployment
   * starts a replacement with a new IP. Answers 202 once the replacement serves (milliseconds).
   */
  private void deletePod(RoutingContext ctx) {
    Pod pod = podOr404(ctx);
    if (pod == null) {
      return;
    }
    if (pod.phase() == Pod.Phase.TERMINATING) {
      Responses.error(ctx, 409, "pod " + pod.name() + " is already terminating; live pods: " + livePods());
      return;
    }
    cluster.deletePod(pod.name()).onComplete(ar -> {
      if (ar.failed()) {
        conflict(ctx, "could not delete pod " + pod.name(), ar.cause());
        return;
      }
      LocalCluster.Replacement replacement = ar.result();
      String status = "terminating: draining its calls in flight in the background";
      Responses.json(ctx, 202, new JsonObject()
          .put("deleted", pod.name())
          .put("ip", pod.ip())
          .put("status", replacement.pod() == null ? status + "; " + replacement.missing() : status)
          .put("replacement", replacement.pod() == null ? null : podJson(replacement.pod())));
    });
  }

  /** A change the cluster refused (409, naming the live pods), or one that failed otherwise (500). */
  private void conflict(RoutingContext ctx, String what, Throwable cause) {
    if (cause instanceof LocalCluster.Conflict) {
      Responses.error(ctx, 409, what + ": " + cause.getMessage() + "; live pods: " + livePods());
    } else {
      Responses.error(ctx, 500, what + ": " + cause.getMessage());
    }
  }

  /**
   * Like {@code kill -9} of the pod's process: its calls in flight fail at once, its endpoint stays ready until
   * the kubelet notices ({@code noticed_ms}, 1 s by default), then the Deployment replaces it. Answers 202 once
   * the replacement serves.
   */
  private void killPod(RoutingContext ctx) {
    Integer noticedMs = optionalBoundedInt(ctx, "noticed_ms", 0, LocalCluster.MAX_CRASH_NOTICED_MS,
        LocalCluster.DEFAULT_CRASH_NOTICED_MS);
    Pod pod = noticedMs == null ? null : podOr404(ctx);
    if (pod == null) {
      return;
    }
    if (pod.phase() != Pod.Phase.READY) {
      Responses.error(ctx, 409, "pod " + pod.name() + " is " + pod.phase().name().toLowerCase(java.util.Locale.ROOT)
          + ", not serving; live pods: " + livePods());
      return;
    }
    cluster.crash(pod.name(), noticedMs).onComplete(ar -> {
      if (ar.failed()) {
        conflict(ctx, "could not kill pod " + pod.name(), ar.cause());
        return;
      }
      LocalCluster.Replacement replacement = ar.result();
      String status = "crashed: its calls in flight failed, its endpoint stayed ready for " + noticedMs
          + " ms until the kubelet noticed";
      Responses.json(ctx, 202, new JsonObject()
          .put("killed", pod.name())
          .put("ip", pod.ip())
          .put("noticed_ms", noticedMs)
          .put("status", replacement.pod() == null ? status + "; " + replacement.missing() : status)
          .put("replacement", replacement.pod() == null ? null : podJson(replacement.pod())));
    });
  }

  /**
   * A node gone silent, or a process stuck in a GC pause: the pod reads and writes nothing and accepts no connection,
   * its sockets open; its endpoint stays ready for {@code noticed_ms} (40 s by default, the node-monitor grace
   * period), then turns not ready and the Deployment replaces the pod. Answers 200 once the pod is silent.
   */
  private void freezePod(RoutingContext ctx) {
    Integer noticedMs = optionalBoundedInt(ctx, "noticed_ms", 0, LocalCluster.MAX_FREEZE_NOTICED_MS,
        LocalCluster.DEFAULT_FREEZE_NOTICED_MS);
    Pod pod = noticedMs == null ? null : podOr404(ctx);
    if (pod == null) {
      return;
    }
    cluster.freeze(pod.name(), noticedMs).onComplete(ar -> {
      if (ar.failed()) {
        conflict(ctx, "could not freeze pod " + pod.name(), ar.cause());
        return;
      }
      Responses.json(ctx, 200, podJson(pod).put("noticed_ms", noticedMs).put("status", "frozen: silent on every "
          + "connection, its sockets open; its endpoint stays ready for " + noticedMs + " ms, then turns not ready and "
          + "the Deployment replaces it (POST /cluster/pods/" + pod.name() + "/unfreeze resumes it)"));
    });
  }

  /** The pause ends: the pod reads and writes again, its held replies go out late; given up for lost, it is ready again. */
  private void unfreezePod(RoutingContext ctx) {
    Pod pod = podOr404(ctx);
    if (pod == null) {
      return;
    }
    cluster.unfreeze(pod.name()).onComplete(ar -> {
      if (ar.failed()) {
        conflict(ctx, "could not unfreeze pod " + pod.name(), ar.cause());
      } else {
        Responses.json(ctx, 200, podJson(pod));
      }
    });
  }

  /** Makes one pod slow (or fast again) from its next call on. */
  private void delay(RoutingContext ctx) {
    Integer ms = boundedInt(ctx, "ms", 0, MAX_DELAY_MS);
    if (ms == null) {
      return;
    }
    Pod pod = podOr404(ctx);
    if (pod == null) {
      return;
    }
    cluster.delay(pod, ms);
    Responses.json(ctx, 200, podJson(pod));
  }

  /** Makes one pod fail a share of its calls (status default UNAVAILABLE; rate=0 turns it off) from its next call on. */
  private void errors(RoutingContext ctx) {
    ErrorInjection errors;
    try {
      errors = ErrorInjection.parse(ctx.queryParams().get("rate"), ctx.queryParams().get("status"));
    } catch (IllegalArgumentException e) {
      Responses.error(ctx, 400, e.getMessage());
      return;
    }
    Pod pod = podOr404(ctx);
    if (pod == null) {
      return;
    }
    cluster.errors(pod, errors);
    Responses.json(ctx, 200, podJson(pod));
  }

  /**
   * Turns one pod's gRPC health SERVING or NOT_SERVING without a drain: its endpoint stays listed ready (a readiness
   * probe would take seconds to notice), and clients that watch its health (gRFC A17) hear it at once.
   */
  private void health(RoutingContext ctx) {
    String raw = ctx.queryParams().get("status");
    ServingStatus status = raw == null ? null : switch (raw) {
      case "SERVING" -> ServingStatus.SERVING;
      case "NOT_SERVING" -> ServingStatus.NOT_SERVING;
      default -> null;
    };
    if (status == null) {
      Responses.error(ctx, 400, "status must be SERVING or NOT_SERVING" + (raw == null ? ", and is missing"
          : ", got '" + raw + "'"));
      return;
    }
    Pod pod = podOr404(ctx);
    if (pod == null) {
      return;
    }
    pod.server().health(status);
    Responses.json(ctx, 200, podJson(pod));
  }

  /** Moves one pod to another of --zones, as if it ran on a node there; 400 naming the zones for another. */
  private void zone(RoutingContext ctx) {
    Pod pod = podOr404(ctx);
    if (pod == null) {
      return;
    }
    try {
      cluster.zone(pod, ctx.queryParams().get("zone"));
    } catch (IllegalArgumentException e) {
      Responses.error(ctx, 400, e.getMessage());
      return;
    }
    Responses.json(ctx, 200, podJson(pod));
  }

  /**
   * Gives one pod a capacity from its next call on: {@code c} calls at once (0: unlimited), at most {@code queue}
   * waiting (absent: unlimited), each taking {@code service_time} (fixed, exponential or lognormal with shape
   * {@code sigma}) around the pod's delay, spent as {@code work} says (timer, or cpu: burnt on c threads). Absent parameters take the flags' defaults, not the pod's current values,
   * so that the answer never depends on what was set before.
   */
  private void capacity(RoutingContext ctx) {
    Capacity limit;
    try {
      limit = capacityQuery(StrictQuery.of(ctx.queryParams(), Set.of(CAPACITY_PARAMETERS)));
    } catch (IllegalArgumentException e) {
      Responses.error(ctx, 400, e.getMessage());
      return;
    }
    Pod pod = podOr404(ctx);
    if (pod == null) {
      return;
    }
    cluster.capacity(pod, limit).onComplete(ar -> Responses.json(ctx, 200, podJson(pod)));
  }

  private static Capacity capacityQuery(StrictQuery query) {
    int calls = query.integer("c", 0, Capacity.MAX_CALLS, "--capacity; 0: unlimited");
    int queue = query.has("queue") ? query.integer("queue", 0, Capacity.MAX_QUEUE_LIMIT, "--queue-limit")
        : Capacity.UNLIMITED_QUEUE;
    double sigma = query.has("sigma")
        ? query.decimal("sigma", ServiceTime.MIN_SIGMA, ServiceTime.MAX_SIGMA, "lognormal's shape")
        : ServiceTime.DEFAULT_SIGMA;
    ServiceTime shape;
    try {
      shape = ServiceTime.parse(query.get("service_time", "fixed"), sigma);
    } catch (IllegalArgumentException e) {
      throw new BadRequest("service_time " + e.getMessage());
    }
    return new Capacity(calls, queue, shape, work(query, Work.TIMER));
  }

  private static Work work(StrictQuery query, Work fallback) {
    try {
      return query.has("work") ? Work.parse(query.get("work", null)) : fallback;
    } catch (IllegalArgumentException e) {
      throw new BadRequest("work " + e.getMessage());
    }
  }

  /**
   * Sets what the Deployment starts from now on (scale-ups, replacements, rollouts): the pods' delay, capacity and
   * warm-up; running pods keep theirs and nothing rolls. Absent parameters take what local mode started with (its
   * flags), so that the answer never depends on an earlier POST, and one with none restores the start. Answers the
   * template, in the query's names.
   */
  private void podTemplate(RoutingContext ctx) {
    PodTemplate template;
    try {
      template = templateQuery(StrictQuery.of(ctx.queryParams(), Set.of(TEMPLATE_PARAMETERS)), cluster.startTemplate());
    } catch (IllegalArgumentException e) {
      Responses.error(ctx, 400, e.getMessage());
      return;
    }
    cluster.template(template);
    Responses.json(ctx, 200, templateJson(template));
  }

  private static PodTemplate templateQuery(StrictQuery query, PodTemplate start) {
    int delayMs = query.integer("delay_ms", start.delayMs(), 0, MAX_DELAY_MS, "--delay-ms");
    int calls = query.integer("c", start.capacity().calls(), 0, Capacity.MAX_CALLS, "--capacity; 0: unlimited");
    // a queue limit needs c above 0: unlimited capacity drops the start's limit
    int queue = query.has("queue") ? query.integer("queue", 0, Capacity.MAX_QUEUE_LIMIT, "--queue-limit")
        : calls == 0 ? Capacity.UNLIMITED_QUEUE : start.capacity().queueLimit();
    ServiceTime startShape = start.capacity().serviceTime();
    double sigma = query.has("sigma")
        ? query.decimal("sigma", ServiceTime.MIN_SIGMA, ServiceTime.MAX_SIGMA, "lognormal's shape")
        : startShape instanceof ServiceTime.Lognormal l ? l.sigma() : ServiceTime.DEFAULT_SIGMA;
    ServiceTime shape;
    try {
      shape = ServiceTime.parse(query.get("service_time", startShape.wireName()), sigma);
    } catch (IllegalArgumentException e) {
      throw new BadRequest("service_time " + e.getMessage());
    }
    // work cpu needs c above 0 too: unlimited capacity drops the start's
    Work work = work(query, calls == 0 ? Work.TIMER : start.capacity().work());
    int warmUpMs = query.integer("warmup_ms", start.warmUp().ms(), 0, FlagTable.WARMUP_MS.max(), "--warmup-ms");
    double factor = query.has("warmup_factor")
        ? query.decimal("warmup_factor", 1, WarmUp.MAX_FACTOR, "a cold pod's slowdown at start")
        : start.warmUp().factor();
    return start.withRun(delayMs, new Capacity(calls, queue, shape, work), new WarmUp(warmUpMs, factor));
  }

  /** The template in the query's names, so that an answer posted back sets the same (queue null: unlimited). */
  private static JsonObject templateJson(PodTemplate template) {
    Capacity capacity = template.capacity();
    return new JsonObject()
        .put("delay_ms", template.delayMs())
        .put("c", capacity.calls())
        .put("queue", capacity.queueLimited() ? capacity.queueLimit() : null)
        .put("service_time", capacity.serviceTime().wireName())
        .put("sigma", capacity.serviceTime() instanceof ServiceTime.Lognormal l ? l.sigma() : null)
        .put("work", capacity.work().wireName())
        .put("warmup_ms", template.warmUp().ms())
        .put("warmup_factor", template.warmUp().factor());
  }

  /**
   * Like {@code kubectl rollout restart deployment/greeter-server} followed by {@code kubectl rollout status}:
   * answers when every pod has been replaced and the old ones are gone, with both; 409 while a rollout or a
   * scale is in progress.
   */
  private void rolloutRestart(RoutingContext ctx) {
    Integer preStopMs = optionalBoundedInt(ctx, "pre_stop_ms", 0, MAX_PRE_STOP_MS, (int) RollingUpdate.DEFAULT_PRE_STOP_MS);
    if (preStopMs == null) {
      return;
    }
    RollingUpdate.Plan plan;
    try {
      plan = RollingUpdate.Plan.of(rollout.desired(), param(ctx, "max_surge", deployment.strategy().maxSurge()),
          param(ctx, "max_unavailable", deployment.strategy().maxUnavailable()), preStopMs);
    } catch (IllegalArgumentException e) {
      Responses.error(ctx, 400, e.getMessage());
      return;
    }
    deployment.restart(plan).onComplete(ar -> {
      if (ar.failed()) {
        Responses.error(ctx, ar.cause() instanceof LocalCluster.Conflict ? 409 : 504, ar.cause().getMessage());
        return;
      }
      RollingUpdate.Result done = ar.result();
      JsonArray old = new JsonArray();
      done.oldPods().forEach(pod -> old.add(new JsonObject().put("name", pod.name()).put("ip", pod.ip())));
      JsonArray fresh = new JsonArray();
      done.newPods().forEach(pod -> fresh.add(podJson(pod)));
      Responses.json(ctx, 200, new JsonObject()
          .put("replicas", done.plan().replicas())
          .put("max_surge", done.plan().maxSurge())
          .put("max_unavailable", done.plan().maxUnavailable())
          .put("pre_stop_ms", done.plan().preStopMs())
          .put("elapsed_ms", done.elapsedMs())
          .put("old", old)
          .put("new", fresh));
    });
  }

  /** The query parameter as given (an empty one too), or the fallback when absent. */
  private static String param(RoutingContext ctx, String name, String fallback) {
    String value = ctx.queryParams().get(name);
    return value == null ? fallback : value;
  }

  /**
   * The server's {@code --max-connection-age-ms} (0 = off) and {@code --max-connection-age-grace-ms}, on every pod
   * now and on every pod started later; open connections count their age from when they were accepted.
   */
  private void maxConnectionAge(RoutingContext ctx) {
    Integer ms = boundedInt(ctx, "ms", 0, MAX_DELAY_MS);
    if (ms == null) {
      return;
    }
    Integer graceMs = ctx.queryParams().contains("grace_ms")
        ? boundedInt(ctx, "grace_ms", 0, MAX_DELAY_MS) : Integer.valueOf((int) MaxConnectionAge.OFF.graceMs());
    if (graceMs == null) {
      return;
    }
    MaxConnectionAge age = new MaxConnectionAge(ms, graceMs);
    cluster.maxConnectionAge(age);
    LOG.info(() -> "max connection age of every pod: " + age.describe());
    Responses.json(ctx, 200, ageJson(age));
  }

  private Pod podOr404(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    Pod pod = cluster.pod(name);
    if (pod == null) {
      Responses.error(ctx, 404, "no pod named '" + name + "'; live pods: " + livePods());
    }
    return pod;
  }

  private String livePods() {
    String names = String.join(", ", cluster.pods().stream().filter(p -> p.phase() == Pod.Phase.READY).map(Pod::name).toList());
    return names.isEmpty() ? "none" : names;
  }

  /** {@link #boundedInt}, or {@code absent} when the parameter is not given at all. */
  private static Integer optionalBoundedInt(RoutingContext ctx, String name, int min, int max, int absent) {
    return ctx.queryParams().contains(name) ? boundedInt(ctx, name, min, max) : Integer.valueOf(absent);
  }

  /** The query parameter as an integer in [min, max], or null after answering 400 naming the range. */
  private static Integer boundedInt(RoutingContext ctx, String name, int min, int max) {
    String raw = ctx.queryParams().get(name);
    Integer value = PlainNumber.whole(raw);
    if (value != null && value >= min && value <= max) {
      return value;
    }
    Responses.error(ctx, 400, name + " must be an integer from " + min + " to " + max
        + (raw == null ? ", and is missing" : ", got '" + raw + "'"));
    return null;
  }
}
