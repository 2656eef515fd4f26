package lab.grpclb.local;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import lab.grpclb.config.Capacity;
import lab.grpclb.config.FlagTable;
import lab.grpclb.config.LocalConfig;
import lab.grpclb.config.PlainNumber;
import lab.grpclb.config.WarmUp;

/**
 * A Deployment object as local mode reads it: what it acts on (the replicas, the rollout strategy, and from the pod
 * template the GREETER_DELAY_MS env, the preStop sleep and terminationGracePeriodSeconds), checked as the API server
 * validates it (422 naming the field), and warnings naming the fields a write changed that local mode keeps in the
 * object but cannot act on (its pods run in this process: no image, probes, resources or volumes).
 */
record DeploymentSpec(int replicas, PodTemplate template, RolloutStrategy strategy, List<String> warnings) {
  /** How a rollout replaces the pods: RollingUpdate's maxSurge and maxUnavailable, "N" or "N%". */
  record RolloutStrategy(String maxSurge, String maxUnavailable) {
    static final RolloutStrategy DEFAULT = new RolloutStrategy(RollingUpdate.DEFAULT_MAX_SURGE,
        RollingUpdate.DEFAULT_MAX_UNAVAILABLE);
  }

  static final String SELECTOR_LABEL = "app";
  static final String DELAY_ENV = "GREETER_DELAY_MS";
  /** Env the pods honour without reading it: each replies with its own IP, as MY_POD_IP from status.podIP tells it. */
  private static final String POD_IP_ENV = "MY_POD_IP";
  /** The API server's default when a template sets no grace period. */
  private static final long API_DEFAULT_GRACE_SECONDS = 30;
  private static final Pattern INDEX = Pattern.compile("\\[\\d+]");
  /** Objects whose fields are judged one by one; any other changed field is named whole. */
  private static final Set<String> DESCENDED = Set.of("", "spec", "spec.strategy", "spec.strategy.rollingUpdate",
      "spec.template", "spec.template.spec", "spec.template.spec.containers", "spec.template.spec.containers[]",
      "spec.template.spec.containers[].lifecycle", "spec.template.spec.containers[].env");
  /** Fields local mode acts on (or keeps as they are meant: metadata); status is the server's to write. */
  private static final Set<String> ACTED_ON = Set.of("metadata", "status", "kind", "apiVersion", "spec.replicas",
      "spec.selector", "spec.strategy.type", "spec.strategy.rollingUpdate.maxSurge",
      "spec.strategy.rollingUpdate.maxUnavailable", "spec.template.metadata",
      "spec.template.spec.terminationGracePeriodSeconds", "spec.template.spec.containers[].name",
      "spec.template.spec.containers[].lifecycle.preStop");

  /**
   * Reads {@code candidate}, the Deployment a write would leave, against {@code current}; fails with a 422
   * {@link ApiError} naming the first invalid field. {@code defaultDelayMs} is a pod's delay when no env sets one.
   */
  static DeploymentSpec read(JsonObject candidate, JsonObject current, String name, int defaultDelayMs) {
    JsonObject spec = object(candidate, "spec", "spec", name);
    int replicas = replicas(spec.getValue("replicas", 1), "Deployment", "apps", name, "spec.replicas");
    if (!Objects.equals(spec.getValue("selector"), current.getJsonObject("spec").getValue("selector"))) {
      throw invalid(name, "spec.selector", spec.getValue("selector"), "field is immutable");
    }
    JsonObject template = object(spec, "template", "spec.template", name);
    JsonObject labels = template.getJsonObject("metadata", new JsonObject()).getJsonObject("labels", new JsonObject());
    if (!LocalCluster.DEPLOYMENT.equals(labels.getValue(SELECTOR_LABEL))) {
      throw invalid(name, "spec.template.metadata.labels", labels.encode(), "`selector` does not match template `labels`");
    }
    List<String> warnings = new ArrayList<>();
    RolloutStrategy strategy = strategy(spec, replicas, name);
    JsonObject podSpec = object(template, "spec", "spec.template.spec", name);
    JsonArray containers = podSpec.getJsonArray("containers", new JsonArray());
    if (containers.isEmpty()) {
      throw invalid(name, "spec.template.spec.containers", "[]", "Required value");
    }
    JsonObject container = containers.getJsonObject(0);
    long grace = grace(podSpec.getValue("terminationGracePeriodSeconds", API_DEFAULT_GRACE_SECONDS), name);
    // a manifest sets the delay and the ends; what the pods run besides (capacity, warm-up) stays the lab's,
    // which LocalCluster.newTemplate keeps
    PodTemplate pods = new PodTemplate("", delayMs(container, name, defaultDelayMs, warnings), Capacity.UNLIMITED,
        WarmUp.OFF, preStopMs(container, warnings), grace);
    List<String> ignored = new ArrayList<>();
    changed(candidate, current, "", ignored);
    if (!ignored.isEmpty()) {
      warnings.add("local mode keeps these fields in the Deployment but does not act on them (its pods run in this"
          + " process): " + String.join(", ", ignored));
    }
    return new DeploymentSpec(replicas, pods, strategy, warnings);
  }

  /** A replica count as the API validates it, and as local mode bounds it. */
  static int replicas(Object value, String kind, String group, String name, String field) {
    Integer replicas = value instanceof Integer number ? number : null;
    if (replicas == null) {
      throw ApiError.badRequest(kind + " " + field + " must be an integer, got " + value);
    }
    if (replicas < 0) {
      throw ApiError.invalid(kind, group, name, field, replicas, "must be greater than or equal to 0");
    }
    if (replicas > LocalConfig.MAX_REPLICAS) {
      throw ApiError.invalid(kind, group, name, field, replicas, "must be no more than " + LocalConfig.MAX_REPLICAS
          + " in local mode (its pods take addresses 127.0.0.2 to 127.0.0.199; --replicas and /cluster/scale allow 0 to "
          + LocalConfig.MAX_REPLICAS + ")");
    }
    return replicas;
  }

  /** maxSurge and maxUnavailable as RollingUpdate reads them; Recreate is a rollout that stops every pod first. */
  private static RolloutStrategy strategy(JsonObject spec, int replicas, String name) {
    JsonObject strategy = spec.getJsonObject("strategy", new JsonObject());
    String type = strategy.getString("type", "RollingUpdate");
    if (type.equals("Recreate")) {
      return new RolloutStrategy("0", "100%");
    }
    if (!type.equals("RollingUpdate")) {
      throw ApiError.invalid("Deployment", "apps", name, "spec.strategy.type", type,
          "supported values: \"Recreate\", \"RollingUpdate\"");
    }
    JsonObject rolling = strategy.getJsonObject("rollingUpdate", new JsonObject());
    String surge = String.valueOf(rolling.getValue("maxSurge", RollingUpdate.DEFAULT_MAX_SURGE));
    String unavailable = String.valueOf(rolling.getValue("maxUnavailable", RollingUpdate.DEFAULT_MAX_UNAVAILABLE));
    try {
      RollingUpdate.Plan.of(replicas, surge, unavailable, 0);
    } catch (IllegalArgumentException e) {
      throw invalid(name, "spec.strategy.rollingUpdate", rolling.encode(), e.getMessage());
    }
    return new RolloutStrategy(surge, unavailable);
  }

  private static int delayMs(JsonObject container, String name, int defaultDelayMs, List<String> warnings) {
    JsonArray env = container.getJsonArray("env", new JsonArray());
    for (int i = 0; i < env.size(); i++) {
      JsonObject variable = env.getJsonObject(i);
      if (!DELAY_ENV.equals(variable.getString("name"))) {
        continue;
      }
      String field = "spec.template.spec.containers[0].env[" + i + "].value";
      if (!variable.containsKey("value")) {
        warnings.add(field + ": local mode reads " + DELAY_ENV + " only from a value, not valueFrom; its pods reply after "
            + defaultDelayMs + " ms");
        return defaultDelayMs;
      }
      Integer ms = PlainNumber.whole(String.valueOf(variable.getValue("value")));
      if (ms == null || ms < FlagTable.DELAY_MS.min() || ms > FlagTable.DELAY_MS.max()) {
        throw invalid(name, field, String.valueOf(variable.getValue("value")), DELAY_ENV + " is the pods' reply delay in ms, "
            + FlagTable.DELAY_MS.min() + " to " + FlagTable.DELAY_MS.max());
      }
      return ms;
    }
    return defaultDelayMs;
  }

  /** A preStop hook that sleeps (exec sleep N, or the sleep action); any other command cannot run here. */
  private static long preStopMs(JsonObject container, List<String> warnings) {
    JsonObject preStop = container.getJsonObject("lifecycle", new JsonObject()).getJsonObject("preStop");
    if (preStop == null) {
      return 0;
    }
    if (preStop.getValue("sleep") instanceof JsonObject sleep && sleep.getValue("seconds") instanceof Integer seconds) {
      return seconds * 1000L;
    }
    JsonArray command = preStop.getJsonObject("exec", new JsonObject()).getJsonArray("command", new JsonArray());
    if (command.size() == 2 && String.valueOf(command.getValue(0)).matches("(/usr)?(/bin/)?sleep")) {
      Integer seconds = PlainNumber.whole(String.valueOf(command.getValue(1)));
      if (seconds != null) {
        return seconds * 1000L;
      }
    }
    warnings.add("spec.template.spec.containers[0].lifecycle.preStop: local mode runs a preStop hook only as a pause"
        + " (exec [\"sleep\", \"N\"] or sleep.seconds), not " + preStop.encode() + ": its pods drain at once");
    return 0;
  }

  private static long grace(Object value, String name) {
    if (!(value instanceof Number seconds) || seconds.longValue() < 0) {
      throw invalid(name, "spec.template.spec.terminationGracePeriodSeconds", value, "must be greater than or equal to 0");
    }
    return seconds.longValue();
  }

  /**
   * The paths, with their indices, of fields that differ between the two objects and that local mode does not act
   * on: a field named whole once its object is not one judged field by field. The env the pods honour is not named.
   */
  private static void changed(Object now, Object before, String path, List<String> out) {
    if (Objects.equals(now, before)) {
      return;
    }
    String shape = INDEX.matcher(path).replaceAll("[]");
    if (ACTED_ON.contains(shape) || shape.equals("spec.template.spec.containers[].env[]") && honouredEnv(now)) {
      return;
    }
    if (!DESCENDED.contains(shape)) {
      out.add(path);
    } else if (now instanceof JsonObject object) {
      JsonObject old = before instanceof JsonObject o ? o : new JsonObject();
      Set<String> keys = new TreeSet<>(object.fieldNames());
      keys.addAll(old.fieldNames());
      keys.forEach(k -> changed(object.getValue(k), old.getValue(k), path.isEmpty() ? k : path + "." + k, out));
    } else if (now instanceof JsonArray array) {
      JsonArray old = before instanceof JsonArray a ? a : new JsonArray();
      for (int i = 0; i < Math.max(array.size(), old.size()); i++) {
        changed(i < array.size() ? array.getValue(i) : null, i < old.size() ? old.getValue(i) : null, path + "[" + i + "]", out);
      }
    } else {
      out.add(path);
    }
  }

  private static boolean honouredEnv(Object variable) {
    return variable instanceof JsonObject env && (DELAY_ENV.equals(env.getString("name"))
        || POD_IP_ENV.equals(env.getString("name")) && "status.podIP".equals(env.getJsonObject("valueFrom", new JsonObject())
        .getJsonObject("fieldRef", new JsonObject()).getString("fieldPath")));
  }

  private static JsonObject object(JsonObject parent, String key, String path, String name) {
    if (parent.getValue(key) instanceof JsonObject object) {
      return object;
    }
    throw invalid(name, path, String.valueOf(parent.getValue(key)), "Required value");
  }

  private static ApiError invalid(String name, String field, Object value, String detail) {
    return ApiError.invalid("Deployment", "apps", name, field, value, detail);
  }
}
