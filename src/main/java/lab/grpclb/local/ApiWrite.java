package lab.grpclb.local;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A request that changes an object, or reads one a controller computes (a Deployment's scale), as the routes
 * parsed it: {@code subresource} and {@code name} are empty when the request names none, {@code body} is the
 * object, patch or DeleteOptions sent (empty when none was), and {@code patchType} is null but for a PATCH.
 */
record ApiWrite(ApiVerb verb, ApiResource resource, String subresource, String namespace, String name,
                PatchType patchType, JsonObject body, boolean dryRun) {

  /** The kinds of PATCH kubectl sends, by their Content-Type. */
  enum PatchType {
    STRATEGIC_MERGE("application/strategic-merge-patch+json"),
    MERGE("application/merge-patch+json"),
    /** Server-side apply: kubectl sends JSON under this YAML type (JSON is YAML). */
    APPLY("application/apply-patch+yaml"),
    JSON_PATCH("application/json-patch+json");

    final String contentType;

    PatchType(String contentType) {
      this.contentType = contentType;
    }
  }

  /** What the controller behind a resource does with a write. */
  @FunctionalInterface
  interface Handler {
    Future<Reply> handle(ApiWrite write);
  }

  /** The answer: an HTTP status, the object as it now is (or would be, on a dry run), and warnings for the client. */
  record Reply(int code, JsonObject object, List<String> warnings) {
    static Reply ok(JsonObject object, List<String> warnings) {
      return new Reply(200, object, warnings);
    }
  }
}
