package lab.grpclb.local;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The Deployment greeter-server as the API serves it, and what its writes do. Its spec is what users last wrote
 * (kubectl apply, scale, rollout restart, or the /cluster controls); its status follows the pods (replicas,
 * updated, ready, available, the conditions kubectl rollout status reads), written after every change so watches see
 * each one. A write acts at once, as the Deployment controller would: a new replica count scales the pods
 * ({@link Rollout}), a new pod template rolls them ({@link RollingUpdate}); so the status's observedGeneration is the
 * spec's generation as soon as the write is answered, and the counts say how far the change has got.
 *
 * <p>Everything here runs on the control plane's context: its API writes arrive there, and the cluster's changes
 * and the /cluster controls are handed to it, so the spec and the acts on it never interleave.
 */
final class DeploymentController {
  private static final Logger LOG = Logger.getLogger(DeploymentController.class.getName());
  static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
  private static final String REVISION = "deployment.kubernetes.io/revision";
  private static final String NAME = LocalCluster.DEPLOYMENT;
  private static final String NAMESPACE = EndpointController.NAMESPACE;
  /** Metadata the store writes, never a user. */
  private static final List<String> STORE_METADATA = List.of("uid", "resourceVersion", "creationTimestamp", "namespace");

  private final ControlPlane api;
  private final Context context;
  private final LocalCluster cluster;
  private final Rollout rollout;
  private final RollingUpdate rollingUpdate;
  private final ClusterEvents events;
  private final int defaultDelayMs;
  /** What users last wrote: metadata (labels, annotations) and spec, as the API object holds them. */
  private JsonObject desired;
  /** The strategy the last accepted spec set; the /cluster controls read it from their own thread. */
  private volatile DeploymentSpec.RolloutStrategy strategy = DeploymentSpec.RolloutStrategy.DEFAULT;
  private JsonObject lastSpec;
  private JsonObject lastTemplate;
  private long generation;
  private int revision;
  private final Map<String, Condition> conditions = new HashMap<>();

  /** A status condition and when it last changed. */
  private record Condition(String status, String reason, String message, String since) {
  }

  DeploymentController(ControlPlane api, LocalCluster cluster, Rollout rollout, RollingUpdate rollingUpdate,
                       ClusterEvents events, int podPort, int replicas) {
    this.api = api;
    this.context = api.context();
    this.cluster = cluster;
    this.rollout = rollout;
    this.rollingUpdate = rollingUpdate;
    this.events = events;
    this.defaultDelayMs = cluster.template().delayMs();
    this.desired = initial(cluster.template(), podPort, replicas);
    cluster.onChange(pods -> context.runOnContext(v -> sync()));
    api.serve(ApiVerb.PATCH, ApiResource.DEPLOYMENTS, "", this::patch);
    api.serve(ApiVerb.UPDATE, ApiResource.DEPLOYMENTS, "", this::update);
    api.serve(ApiVerb.CREATE, ApiResource.DEPLOYMENTS, "", write -> Future.failedFuture(ApiError.methodNotAllowed(
        "local mode runs one Deployment, " + NAME + ": change it (kubectl apply, scale, rollout restart), create no other")));
    api.serve(ApiVerb.GET, ApiResource.DEPLOYMENTS, "scale", write -> found(write).map(d -> ApiWrite.Reply.ok(scale(d), List.of())));
    api.serve(ApiVerb.UPDATE, ApiResource.DEPLOYMENTS, "scale", this::updateScale);
    api.serve(ApiVerb.PATCH, ApiResource.DEPLOYMENTS, "scale", this::patchScale);
    context.runOnContext(v -> sync());
  }

  /** The Deployment as kubectl apply of deploy/server.yaml would leave it, with what local mode runs. */
  private static JsonObject initial(PodTemplate template, int podPort, int replicas) {
    JsonObject labels = new JsonObject().put(DeploymentSpec.SELECTOR_LABEL, NAME);
    JsonObject container = new JsonObject().put("name", Kubelet.CONTAINER).put("image", Kubelet.IMAGE)
        .put("ports", new JsonArray().add(new JsonObject().put("name", "grpc").put("containerPort", podPort).put("protocol", "TCP")))
        .put("env", new JsonArray().add(new JsonObject().put("name", DeploymentSpec.DELAY_ENV)
            .put("value", String.valueOf(template.delayMs()))));
    JsonObject deployment = new JsonObject()
        .put("metadata", new JsonObject().put("name", NAME).put("labels", labels.copy()))
        .put("spec", new JsonObject()
            .put("replicas", replicas)
            .put("selector", new JsonObject().put("matchLabels", labels.copy()))
            .put("strategy", new JsonObject().put("type", "RollingUpdate").put("rollingUpdate", new JsonObject()
                .put("maxSurge", RollingUpdate.DEFAULT_MAX_SURGE).put("maxUnavailable", RollingUpdate.DEFAULT_MAX_UNAVAILABLE)))
            .put("template", new JsonObject()
                .put("metadata", new JsonObject().put("labels", labels.copy()))
                .put("spec", new JsonObject().put("containers", new JsonArray().add(container))
                    .put("terminationGracePeriodSeconds", template.gracePeriodSeconds()))));
    return AppliedByKubectl.annotate(ApiResource.DEPLOYMENTS, NAMESPACE, deployment, deployment.getJsonObject("spec"));
  }

  // ---- the /cluster controls, handed to the context ----

  /**
   * Like {@code kubectl scale}: sets the replicas and scales the pods; completes when they have settled (see
   * {@link Rollout#scale}). Fails with a {@link LocalCluster.Conflict} during a rollout, or when the pods would need
   * more addresses than are free (the spec then stays as it was).
   */
  Future<Void> scale(int replicas) {
    return onContext(() -> {
      if (rollingUpdate.inProgress()) {
        return Future.failedFuture(new LocalCluster.Conflict(rollingUpdate.describeInProgress() + "; scale once it is complete"));
      }
      return scaleNow(replicas);
    });
  }

  /**
   * Like {@code kubectl rollout restart}: stamps the template's restartedAt, as kubectl does, and rolls every pod by
   * {@code plan}; completes when the old pods are gone. Fails with a {@link LocalCluster.Conflict} while a rollout or
   * a scale runs.
   */
  Future<RollingUpdate.Result> restart(RollingUpdate.Plan plan) {
    return onContext(() -> {
      String busy = busy();
      if (busy != null) {
        return Future.failedFuture(new LocalCluster.Conflict(busy));
      }
      desired.getJsonObject("spec").getJsonObject("template").getJsonObject("metadata")
          .put("annotations", annotations(desired).put(RESTARTED_AT, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()));
      Future<RollingUpdate.Result> done = rollingUpdate.start(plan, cluster.template());
      sync();
      return done;
    });
  }

  /** The Deployment's rollout strategy as its spec sets it now. */
  DeploymentSpec.RolloutStrategy strategy() {
    return strategy;
  }

  private <T> Future<T> onContext(Supplier<Future<T>> action) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(done));
    return done.future();
  }

  /** Why the pods cannot take a new count or template now, or null. */
  private String busy() {
    if (rollingUpdate.inProgress()) {
      return rollingUpdate.describeInProgress();
    }
    return rollout.inProgress() ? "a scale to " + rollout.desired() + " replicas is in progress; roll out once it has settled"
        : null;
  }

  private Future<Void> scaleNow(int replicas) {
    int before = desired.getJsonObject("spec").getInteger("replicas");
    desired.getJsonObject("spec").put("replicas", replicas);
    Future<Void> settled = rollout.scale(replicas);
    if (settled.failed() && settled.cause() instanceof LocalCluster.Conflict) {
      desired.getJsonObject("spec").put("replicas", before);
    }
    sync();
    return settled;
  }

  // ---- the API's writes ----

  private Future<ApiWrite.Reply> patch(ApiWrite write) {
    return found(write).compose(current -> change(write, current, ObjectPatch.apply(current, write.patchType(), write.body())));
  }

  private Future<ApiWrite.Reply> update(ApiWrite write) {
    return found(write).compose(current -> change(write, current, write.body()));
  }

  /**
   * A write that leaves {@code candidate}: checked (422), refused while the pods cannot take it (409), then acted on
   * unless it is a dry run.
   */
  private Future<ApiWrite.Reply> change(ApiWrite write, JsonObject current, JsonObject candidate) {
    unmodifiedSince(write.body(), current, ApiResource.DEPLOYMENTS);
    String name = candidate.getJsonObject("metadata", new JsonObject()).getString("name");
    if (!NAME.equals(name)) {
      throw ApiError.invalid("Deployment", "apps", NAME, "metadata.name", name, "field is immutable");
    }
    DeploymentSpec read = DeploymentSpec.read(candidate, current, NAME, defaultDelayMs);
    boolean rolls = !candidate.getJsonObject("spec").getJsonObject("template")
        .equals(current.getJsonObject("spec").getJsonObject("template"));
    boolean scales = read.replicas() != current.getJsonObject("spec").getInteger("replicas");
    String busy = busy();
    if ((rolls || scales) && busy != null) {
      throw ApiError.conflict(ApiResource.DEPLOYMENTS, NAME, busy);
    }
    if (write.dryRun()) {
      return Future.succeededFuture(ApiWrite.Reply.ok(candidate, read.warnings()));
    }
    act(candidate, read, rolls, scales);
    return Future.succeededFuture(ApiWrite.Reply.ok(object(), read.warnings()));
  }

  /**
   * Keeps the spec and does what it asks, as the Deployment controller: a new template rolls the pods (with its
   * replica count), else a new count scales them; anything else is only kept. A count the pods cannot take (no free
   * addresses) leaves the spec as it was (409).
   */
  private void act(JsonObject candidate, DeploymentSpec read, boolean rolls, boolean scales) {
    JsonObject before = desired;
    desired = userPart(candidate);
    strategy = read.strategy();
    if (rolls) {
      rollingUpdate.start(RollingUpdate.Plan.of(read.replicas(), read.strategy().maxSurge(), read.strategy().maxUnavailable(),
          RollingUpdate.OWN_PRE_STOP), read.template());
      LOG.info(() -> "deployment " + NAME + ": new pod template (" + read.template() + "), rolling " + read.replicas() + " pods");
    } else if (scales) {
      Future<Void> settled = rollout.scale(read.replicas());
      if (settled.failed() && settled.cause() instanceof LocalCluster.Conflict refused) {
        desired = before;
        throw ApiError.conflict(ApiResource.DEPLOYMENTS, NAME, refused.getMessage());
      }
    }
    sync();
  }

  private Future<ApiWrite.Reply> updateScale(ApiWrite write) {
    return found(write).compose(current -> {
      unmodifiedSince(write.body(), current, ApiResource.DEPLOYMENTS);
      return scaleTo(write, write.body().getJsonObject("spec", new JsonObject()).getValue("replicas"));
    });
  }

  private Future<ApiWrite.Reply> patchScale(ApiWrite write) {
    return found(write).compose(current -> scaleTo(write, ObjectPatch.apply(scale(current), write.patchType(), write.body())
        .getJsonObject("spec", new JsonObject()).getValue("replicas")));
  }

  /** The scale subresource's write: the same as {@link #scale}, answered at once with the Scale it leaves. */
  private Future<ApiWrite.Reply> scaleTo(ApiWrite write, Object value) {
    int replicas = DeploymentSpec.replicas(value, "Scale", "autoscaling", NAME, "spec.replicas");
    if (rollingUpdate.inProgress()) {
      throw ApiError.conflict(ApiResource.DEPLOYMENTS, NAME, rollingUpdate.describeInProgress() + "; scale once it is complete");
    }
    if (write.dryRun()) {
      return Future.succeededFuture(ApiWrite.Reply.ok(scale(object()).put("spec", new JsonObject().put("replicas", replicas)),
          List.of()));
    }
    Future<Void> settled = scaleNow(replicas);
    if (settled.failed() && settled.cause() instanceof LocalCluster.Conflict refused) {
      throw ApiError.conflict(ApiResource.DEPLOYMENTS, NAME, refused.getMessage());
    }
    return Future.succeededFuture(ApiWrite.Reply.ok(scale(object()), List.of()));
  }

  /** A write that names a resourceVersion applies only to that version, as the API server's optimistic concurrency. */
  private static void unmodifiedSince(JsonObject body, JsonObject current, ApiResource resource) {
    String expected = body.getJsonObject("metadata", new JsonObject()).getString("resourceVersion");
    if (expected != null && !expected.equals(current.getJsonObject("metadata").getString("resourceVersion"))) {
      throw ApiError.conflict(resource, NAME, "the object has been modified; please apply your changes to the latest"
          + " version and try again");
    }
  }

  /** The Deployment as stored now; 404 for any other name or namespace. */
  private Future<JsonObject> found(ApiWrite write) {
    if (!write.namespace().equals(NAMESPACE) || !write.name().equals(NAME)) {
      return Future.failedFuture(ApiError.notFound(ApiResource.DEPLOYMENTS, write.name()));
    }
    return Future.succeededFuture(object());
  }

  private JsonObject object() {
    return ApiRoutes.typed(ApiResource.DEPLOYMENTS, api.get(ApiResource.DEPLOYMENTS, NAMESPACE, NAME).orElseThrow());
  }

  /** The autoscaling/v1 Scale of the Deployment: its spec's replicas, the pods it has, their selector. */
  private static JsonObject scale(JsonObject deployment) {
    JsonObject metadata = deployment.getJsonObject("metadata");
    return new JsonObject().put("kind", "Scale").put("apiVersion", "autoscaling/v1")
        .put("metadata", new JsonObject().put("name", NAME).put("namespace", NAMESPACE)
            .put("uid", metadata.getString("uid")).put("resourceVersion", metadata.getString("resourceVersion"))
            .put("creationTimestamp", metadata.getString("creationTimestamp")))
        .put("spec", new JsonObject().put("replicas", deployment.getJsonObject("spec").getInteger("replicas")))
        .put("status", new JsonObject().put("replicas", deployment.getJsonObject("status").getInteger("replicas", 0))
            .put("selector", DeploymentSpec.SELECTOR_LABEL + "=" + NAME));
  }

  /** What a write keeps: the user's metadata and the spec, not the server's fields (status, uid, versions). */
  private static JsonObject userPart(JsonObject candidate) {
    JsonObject metadata = candidate.getJsonObject("metadata").copy();
    STORE_METADATA.forEach(metadata::remove);
    metadata.remove("generation");
    metadata.remove("managedFields");
    JsonObject annotations = metadata.getJsonObject("annotations");
    if (annotations != null) {
      annotations.remove(REVISION);
      if (annotations.isEmpty()) {
        metadata.remove("annotations");
      }
    }
    return new JsonObject().put("metadata", metadata).put("spec", candidate.getJsonObject("spec").copy());
  }

  private static JsonObject annotations(JsonObject object) {
    JsonObject metadata = object.getJsonObject("spec").getJsonObject("template").getJsonObject("metadata");
    return metadata.getJsonObject("annotations", new JsonObject());
  }

  // ---- the object, written after every change ----

  /**
   * Writes the Deployment if anything in it changed: a new spec is a new generation (and an event for the scale it
   * makes), a new template a new revision.
   */
  private void sync() {
    JsonObject spec = desired.getJsonObject("spec");
    if (!spec.equals(lastSpec)) {
      generation++;
      tellScale(lastSpec, spec);
      lastSpec = spec.copy();
    }
    if (!spec.getJsonObject("template").equals(lastTemplate)) {
      revision++;
      lastTemplate = spec.getJsonObject("template").copy();
    }
    JsonObject object = desired.copy();
    JsonObject metadata = object.getJsonObject("metadata").put("generation", generation);
    metadata.put("annotations", metadata.getJsonObject("annotations", new JsonObject()).put(REVISION, String.valueOf(revision)));
    object.put("status", status(spec.getInteger("replicas")));
    JsonObject stored = api.get(ApiResource.DEPLOYMENTS, NAMESPACE, NAME).orElse(null);
    if (stored == null || !withoutServerFields(stored).equals(object)) {
      api.apply(ApiResource.DEPLOYMENTS, NAMESPACE, object);
    }
  }

  /** A new template scales its new ReplicaSet up from 0; a new count scales the current one. */
  private void tellScale(JsonObject before, JsonObject spec) {
    int to = spec.getInteger("replicas");
    if (before == null) {
      return; // the Deployment as local mode starts it: its pods' creation is told
    }
    boolean rolled = !spec.getJsonObject("template").equals(before.getJsonObject("template"));
    int from = rolled ? 0 : before.getInteger("replicas");
    if (from != to) {
      events.scaled(cluster.template().hash(), from, to);
    }
  }

  private static JsonObject withoutServerFields(JsonObject stored) {
    JsonObject copy = stored.copy();
    JsonObject metadata = copy.getJsonObject("metadata");
    STORE_METADATA.forEach(metadata::remove);
    return copy;
  }

  /**
   * The counts as the Deployment controller keeps them: replicas are the pods not terminating, updated those of the
   * current template, ready and available those serving (no minReadySeconds), unavailable what the spec still lacks;
   * zero counts are left out, as the API leaves them out.
   */
  private JsonObject status(int wanted) {
    int replicas = 0;
    int updated = 0;
    int ready = 0;
    String hash = cluster.template().hash();
    for (Pod pod : cluster.pods()) {
      if (pod.live()) {
        replicas++;
        updated += pod.templateHash().equals(hash) ? 1 : 0;
        ready += pod.ready() ? 1 : 0;
      }
    }
    JsonObject status = new JsonObject().put("observedGeneration", generation);
    putCount(status, "replicas", replicas);
    putCount(status, "updatedReplicas", updated);
    putCount(status, "readyReplicas", ready);
    putCount(status, "availableReplicas", ready);
    putCount(status, "unavailableReplicas", Math.max(0, wanted - ready));
    boolean complete = updated == wanted && replicas == wanted && ready == wanted;
    return status.put("conditions", conditions(wanted, ready, complete, hash));
  }

  /** Available once no more pods are missing than maxUnavailable allows; Progressing until the new ones are all there. */
  private JsonArray conditions(int wanted, int ready, boolean complete, String hash) {
    boolean available = ready >= wanted - RollingUpdate.Plan.of(wanted, strategy.maxSurge(), strategy.maxUnavailable(), 0)
        .maxUnavailable();
    return new JsonArray()
        .add(condition("Available", available ? "True" : "False",
            available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
            available ? "Deployment has minimum availability." : "Deployment does not have minimum availability."))
        .add(condition("Progressing", "True", complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
            "ReplicaSet \"" + NAME + "-" + hash + "\" " + (complete ? "has successfully progressed." : "is progressing.")));
  }

  private static void putCount(JsonObject status, String field, int count) {
    if (count > 0) {
      status.put(field, count);
    }
  }

  /** A condition, with the time it last changed status or reason (kept while neither changes). */
  private JsonObject condition(String type, String status, String reason, String message) {
    Condition last = conditions.get(type);
    if (last == null || !last.status().equals(status) || !last.reason().equals(reason) || !last.message().equals(message)) {
      last = new Condition(status, reason, message, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
      conditions.put(type, last);
    }
    return new JsonObject().put("type", type).put("status", status).put("lastUpdateTime", last.since())
        .put("lastTransitionTime", last.since()).put("reason", reason).put("message", message);
  }
}
