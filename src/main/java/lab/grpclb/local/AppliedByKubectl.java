package lab.grpclb.local;

import io.vertx.core.json.JsonObject;

/**
 * The annotation kubectl apply leaves on what it applied, put on the objects local mode starts with, as if the
 * write-up's {@code kubectl apply -f k8s/server.yaml} had made them. A later apply then diffs against it as it would
 * in a cluster: it removes what the user's manifest leaves out (local mode's own port, say) and reads "unchanged" when
 * nothing changed, instead of warning that the annotation is missing and merging into local mode's fields.
 */
final class AppliedByKubectl {
  static final String ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

  private AppliedByKubectl() {
  }

  /**
   * {@code object} with the annotation that says kubectl applied it with this {@code spec}: the fields a manifest
   * sets, not those the API server fills in (a Service's clusterIP).
   */
  static JsonObject annotate(ApiResource resource, String namespace, JsonObject object, JsonObject spec) {
    JsonObject metadata = object.getJsonObject("metadata");
    JsonObject applied = new JsonObject().put("apiVersion", resource.apiVersion).put("kind", resource.kind)
        .put("metadata", new JsonObject().put("annotations", new JsonObject()).put("labels", metadata.getJsonObject("labels"))
            .put("name", metadata.getString("name")).put("namespace", namespace))
        .put("spec", spec);
    JsonObject annotated = object.copy();
    JsonObject annotations = annotated.getJsonObject("metadata").getJsonObject("annotations", new JsonObject());
    annotated.getJsonObject("metadata").put("annotations", annotations.put(ANNOTATION, applied.encode() + "\n"));
    return annotated;
  }
}
