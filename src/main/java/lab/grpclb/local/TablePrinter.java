package lab.grpclb.local;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The columns and cells of {@code kubectl get} for the resources served, as the real API server's printers
 * make them (kubernetes pkg/printers/internalversion/printers.go: printService, printEndpointSlice,
 * printPod, printDeployment). The server sends every column; kubectl shows those of priority 1 only with {@code -o wide}.
 */
final class TablePrinter {
  /** One column definition of a Table. */
  record Column(String name, String type, String format, int priority, String description) {
    JsonObject toJson() {
      return new JsonObject().put("name", name).put("type", type).put("format", format)
          .put("description", description).put("priority", priority);
    }
  }

  private static final Column NAME = new Column("Name", "string", "name", 0, "Name must be unique within a namespace.");
  private static final Column AGE = new Column("Age", "string", "", 0,
      "CreationTimestamp is a timestamp representing the server time when this object was created.");

  private TablePrinter() {
  }

  static List<Column> columns(ApiResource resource) {
    return switch (resource) {
      case SERVICES -> List.of(NAME,
          new Column("Type", "string", "", 0, "type determines how the Service is exposed."),
          new Column("Cluster-IP", "string", "", 0, "clusterIP is the IP address of the service."),
          new Column("External-IP", "string", "", 0, "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
          new Column("Port(s)", "string", "", 0, "The list of ports that are exposed by this service."),
          AGE,
          new Column("Selector", "string", "", 1, "Route service traffic to pods with label keys and values matching this selector."));
      case ENDPOINTSLICES -> List.of(NAME,
          new Column("AddressType", "string", "", 0, "addressType specifies the type of address carried by this EndpointSlice."),
          new Column("Ports", "string", "", 0, "ports specifies the list of network ports exposed by each endpoint in this slice."),
          new Column("Endpoints", "string", "", 0, "endpoints is a list of unique endpoints in this slice."),
          AGE);
      case PODS -> List.of(NAME,
          new Column("Ready", "string", "", 0, "The aggregate readiness state of this pod for accepting traffic."),
          new Column("Status", "string", "", 0, "The aggregate status of the containers in this pod."),
          new Column("Restarts", "string", "", 0, "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
          AGE,
          new Column("IP", "string", "", 1, "podIP address allocated to the pod."),
          new Column("Node", "string", "", 1, "NodeName is a request to schedule this pod onto a specific node."),
          new Column("Nominated Node", "string", "", 1, "nominatedNodeName is set only when this pod preempts other pods on the node."),
          new Column("Readiness Gates", "string", "", 1, "If specified, all readiness gates will be evaluated for pod readiness."));
      case DEPLOYMENTS -> List.of(NAME,
          new Column("Ready", "string", "", 0, "Number of the pod with ready state"),
          new Column("Up-to-date", "string", "", 0, "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
          new Column("Available", "string", "", 0, "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
          AGE,
          new Column("Containers", "string", "", 1, "Names of each container in the template."),
          new Column("Images", "string", "", 1, "Images referenced by each container in the template."),
          new Column("Selector", "string", "", 1, "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment."));
      case EVENTS -> List.of(
          new Column("Last Seen", "string", "", 0, "The time at which the most recent occurrence of this event was recorded."),
          new Column("Type", "string", "", 0, "Type of this event (Normal, Warning), new types could be added in the future"),
          new Column("Reason", "string", "", 0, "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
          new Column("Object", "string", "", 0, "The object that this event is about."),
          new Column("Subobject", "string", "", 1, "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement."),
          new Column("Source", "string", "", 1, "The component reporting this event. Should be a short machine understandable string."),
          new Column("Message", "string", "", 0, "A human-readable description of the status of this operation."),
          new Column("First Seen", "string", "", 1, "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)"),
          new Column("Count", "string", "", 1, "The number of times this event has occurred."),
          new Column("Name", "string", "name", 1, "Name must be unique within a namespace."));
    };
  }

  /** The row's cells, one per column, wide ones included. */
  static List<Object> cells(ApiResource resource, JsonObject object, Instant now) {
    JsonObject metadata = object.getJsonObject("metadata", new JsonObject());
    String age = age(metadata.getString("creationTimestamp"), now);
    return switch (resource) {
      case SERVICES -> service(object, metadata.getString("name"), age);
      case ENDPOINTSLICES -> List.of(metadata.getString("name"), object.getString("addressType", ""),
          slicePorts(object.getJsonArray("ports", new JsonArray())),
          sliceEndpoints(object.getJsonArray("endpoints", new JsonArray())), age);
      case PODS -> pod(object, metadata, age);
      case DEPLOYMENTS -> deployment(object, metadata.getString("name"), age);
      case EVENTS -> event(object, metadata.getString("name"), now);
    };
  }

  private static List<Object> service(JsonObject service, String name, String age) {
    JsonObject spec = service.getJsonObject("spec", new JsonObject());
    JsonArray clusterIps = spec.getJsonArray("clusterIPs", new JsonArray());
    List<String> ports = new ArrayList<>();
    for (Object p : spec.getJsonArray("ports", new JsonArray())) {
      JsonObject port = (JsonObject) p;
      int nodePort = port.getInteger("nodePort", 0);
      ports.add(port.getInteger("port") + (nodePort > 0 ? ":" + nodePort : "") + "/" + port.getString("protocol", "TCP"));
    }
    return List.of(name, spec.getString("type", "ClusterIP"), clusterIps.isEmpty() ? "<none>" : clusterIps.getString(0),
        externalIp(spec), ports.isEmpty() ? "<none>" : String.join(",", ports), age,
        labels(spec.getJsonObject("selector", new JsonObject())));
  }

  private static String externalIp(JsonObject spec) {
    List<String> external = strings(spec.getJsonArray("externalIPs", new JsonArray()));
    return switch (spec.getString("type", "ClusterIP")) {
      case "ClusterIP", "NodePort" -> external.isEmpty() ? "<none>" : String.join(",", external);
      case "LoadBalancer" -> external.isEmpty() ? "<pending>" : String.join(",", external);
      case "ExternalName" -> spec.getString("externalName", "");
      default -> "<unknown>";
    };
  }

  private static String slicePorts(JsonArray ports) {
    List<String> shown = new ArrayList<>();
    for (Object p : ports) {
      JsonObject port = (JsonObject) p;
      shown.add(port.containsKey("port") ? String.valueOf(port.getInteger("port")) : port.getString("name", "*"));
    }
    return listWithMore(shown);
  }

  private static String sliceEndpoints(JsonArray endpoints) {
    List<String> addresses = new ArrayList<>();
    for (Object e : endpoints) {
      addresses.addAll(strings(((JsonObject) e).getJsonArray("addresses", new JsonArray())));
    }
    return listWithMore(addresses);
  }

  /** The first three, then "+ N more...", or {@code <unset>} for none. */
  private static String listWithMore(List<String> all) {
    if (all.isEmpty()) {
      return "<unset>";
    }
    String shown = String.join(",", all.subList(0, Math.min(3, all.size())));
    return all.size() > 3 ? shown + " + " + (all.size() - 3) + " more..." : shown;
  }

  /** READY, STATUS and RESTARTS from the container statuses, "Terminating" once a deletion is under way. */
  private static List<Object> pod(JsonObject pod, JsonObject metadata, String age) {
    JsonObject spec = pod.getJsonObject("spec", new JsonObject());
    JsonObject status = pod.getJsonObject("status", new JsonObject());
    String phase = status.getString("phase", "");
    String reason = status.getString("reason", phase);
    int ready = 0;
    int restarts = 0;
    JsonArray containers = status.getJsonArray("containerStatuses", new JsonArray());
    for (int i = containers.size() - 1; i >= 0; i--) {
      JsonObject container = containers.getJsonObject(i);
      JsonObject state = container.getJsonObject("state", new JsonObject());
      restarts += container.getInteger("restartCount", 0);
      if (state.containsKey("waiting") && !state.getJsonObject("waiting").getString("reason", "").isEmpty()) {
        reason = state.getJsonObject("waiting").getString("reason");
      } else if (state.containsKey("terminated")) {
        JsonObject terminated = state.getJsonObject("terminated");
        reason = terminated.getString("reason", "ExitCode:" + terminated.getInteger("exitCode", 0));
      } else if (container.getBoolean("ready", false) && state.containsKey("running")) {
        ready++;
      }
    }
    if (metadata.containsKey("deletionTimestamp") && !phase.equals("Succeeded") && !phase.equals("Failed")) {
      reason = "Terminating";
    }
    JsonArray ips = status.getJsonArray("podIPs", new JsonArray());
    return List.of(metadata.getString("name"), ready + "/" + spec.getJsonArray("containers", new JsonArray()).size(),
        reason, String.valueOf(restarts), age,
        ips.isEmpty() ? "<none>" : ips.getJsonObject(0).getString("ip"),
        spec.getString("nodeName", "<none>"), status.getString("nominatedNodeName", "<none>"), "<none>");
  }

  /** READY is ready/desired; UP-TO-DATE and AVAILABLE are numbers, as the real printer's int64 cells. */
  private static List<Object> deployment(JsonObject deployment, String name, String age) {
    JsonObject spec = deployment.getJsonObject("spec", new JsonObject());
    JsonObject status = deployment.getJsonObject("status", new JsonObject());
    List<String> containers = new ArrayList<>();
    List<String> images = new ArrayList<>();
    for (Object c : spec.getJsonObject("template", new JsonObject()).getJsonObject("spec", new JsonObject())
        .getJsonArray("containers", new JsonArray())) {
      containers.add(((JsonObject) c).getString("name"));
      images.add(((JsonObject) c).getString("image"));
    }
    JsonObject selector = spec.getJsonObject("selector", new JsonObject()).getJsonObject("matchLabels", new JsonObject());
    return List.of(name, status.getInteger("readyReplicas", 0) + "/" + spec.getInteger("replicas", 1),
        status.getInteger("updatedReplicas", 0), status.getInteger("availableReplicas", 0), age,
        String.join(",", containers), String.join(",", images), labels(selector));
  }

  /** OBJECT is kind/name in lower case, SOURCE "component, host", as printEvent makes them. */
  private static List<Object> event(JsonObject event, String name, Instant now) {
    JsonObject involved = event.getJsonObject("involvedObject", new JsonObject());
    JsonObject source = event.getJsonObject("source", new JsonObject());
    String from = source.getString("component", "") + (source.containsKey("host") ? ", " + source.getString("host") : "");
    return List.of(age(event.getString("lastTimestamp"), now), event.getString("type", ""), event.getString("reason", ""),
        involved.getString("kind", "").toLowerCase(Locale.ROOT) + "/" + involved.getString("name", ""),
        involved.getString("fieldPath", ""), from, event.getString("message", ""), age(event.getString("firstTimestamp"), now),
        event.getInteger("count", 1), name);
  }

  private static String labels(JsonObject labels) {
    if (labels.isEmpty()) {
      return "<none>";
    }
    return new TreeMap<>(labels.getMap()).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(","));
  }

  private static List<String> strings(JsonArray array) {
    return array.stream().map(String::valueOf).toList();
  }

  private static String age(String creationTimestamp, Instant now) {
    return creationTimestamp == null ? "<unknown>" : humanDuration(Duration.between(Instant.parse(creationTimestamp), now));
  }

  /** kubectl's AGE: apimachinery's duration.HumanDuration, precise when young, coarser with age. */
  static String humanDuration(Duration d) {
    long seconds = d.toMillis() / 1000; // truncated toward zero, as Go's int(d.Seconds())
    if (seconds < -1) {
      return "<invalid>";
    } else if (seconds < 0) {
      return "0s";
    } else if (seconds < 60 * 2) {
      return seconds + "s";
    }
    long minutes = d.toMinutes();
    if (minutes < 10) {
      return seconds % 60 == 0 ? minutes + "m" : minutes + "m" + seconds % 60 + "s";
    } else if (minutes < 60 * 3) {
      return minutes + "m";
    }
    long hours = d.toHours();
    if (hours < 8) {
      return minutes % 60 == 0 ? hours + "h" : hours + "h" + minutes % 60 + "m";
    } else if (hours < 48) {
      return hours + "h";
    } else if (hours < 24 * 8) {
      return hours % 24 == 0 ? hours / 24 + "d" : hours / 24 + "d" + hours % 24 + "h";
    } else if (hours < 24 * 365 * 2) {
      return hours / 24 + "d";
    } else if (hours < 24 * 365 * 8) {
      long days = hours / 24 % 365;
      return days == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + days + "d";
    }
    return hours / 24 / 365 + "y";
  }
}
