package lab.grpclb.local;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A write the API refuses, with the Status a real API server sends for it (code, reason, message, details), so
 * kubectl prints the same error it prints against a cluster. Nothing was changed.
 */
final class ApiError extends RuntimeException {
  final int code;
  final String reason;
  /** The Status's details (name, group, kind, causes), or null. */
  final JsonObject details;

  private ApiError(int code, String reason, String message, JsonObject details) {
    super(message, null, false, false);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  static ApiError notFound(ApiResource resource, String name) {
    return new ApiError(404, "NotFound", qualified(resource) + " \"" + name + "\" not found", details(resource, name));
  }

  /**
   * 422 for one field, worded as the API server's validation: {@code Kind.group "name" is invalid: field: Invalid value:
   * value: detail}. kubectl prints {@code The Kind "name" is invalid: ...} from the details.
   */
  static ApiError invalid(String kind, String group, String name, String field, Object value, String detail) {
    String cause = "Invalid value: " + (value instanceof String ? "\"" + value + "\"" : value) + ": " + detail;
    JsonObject details = new JsonObject().put("name", name).put("group", group).put("kind", kind)
        .put("causes", new JsonArray().add(new JsonObject().put("reason", "FieldValueInvalid").put("message", cause)
            .put("field", field)));
    return new ApiError(422, "Invalid", kind + (group.isEmpty() ? "" : "." + group) + " \"" + name + "\" is invalid: "
        + field + ": " + cause, details);
  }

  /** 409: the object changed since the client read it, or the cluster cannot take the change now (says why). */
  static ApiError conflict(ApiResource resource, String name, String why) {
    return new ApiError(409, "Conflict", "Operation cannot be fulfilled on " + qualified(resource) + " \"" + name + "\": "
        + why, details(resource, name));
  }

  static ApiError methodNotAllowed(String why) {
    return new ApiError(405, "MethodNotAllowed", why, null);
  }

  static ApiError badRequest(String why) {
    return new ApiError(400, "BadRequest", why, null);
  }

  static ApiError unsupportedMediaType(String why) {
    return new ApiError(415, "UnsupportedMediaType", why, null);
  }

  /** The Status object the API answers. */
  JsonObject status() {
    JsonObject status = ApiRoutes.statusObject(code, reason, getMessage());
    return details == null ? status : status.put("details", details);
  }

  static String qualified(ApiResource resource) {
    return resource.plural + (resource.group.isEmpty() ? "" : "." + resource.group);
  }

  private static JsonObject details(ApiResource resource, String name) {
    return new JsonObject().put("name", name).put("group", resource.group).put("kind", resource.plural);
  }
}
