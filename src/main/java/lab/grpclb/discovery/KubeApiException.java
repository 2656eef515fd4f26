package lab.grpclb.discovery;

import io.vertx.core.json.JsonObject;

/** An API server answer other than 200, with the Status it sent and what we were doing. */
public final class KubeApiException extends RuntimeException {
  private final int status;

  KubeApiException(int status, String verb, String path, String body) {
    super(describe(status, verb, path, body), null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }

  private static String describe(int status, String verb, String path, String body) {
    String message = body;
    try {
      JsonObject json = new JsonObject(body);
      message = json.getString("reason", "") + ": " + json.getString("message", "");
    } catch (RuntimeException notJson) {
      // keep the raw body
    }
    String hint = switch (status) {
      case 401 -> " (the service account token was refused: check --kube-token-file)";
      case 403 -> " (RBAC: the service account needs '" + verb + "' on this resource; see deploy/client-rbac.yaml)";
      default -> "";
    };
    return "HTTP " + status + " on " + verb + " " + path + ": " + message + hint;
  }
}
