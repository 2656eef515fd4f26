package lab.grpclb.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/** Whether a request is a browser asking for the lab's page, not a script asking for JSON. */
public final class PageRequest {
  private PageRequest() {
  }

  /** A plain GET with no query that accepts HTML. */
  public static boolean wantsPage(HttpServerRequest request) {
    String accept = request.getHeader(HttpHeaders.ACCEPT);
    String query = request.query();
    return (query == null || query.isEmpty()) && accept != null && accept.contains("text/html");
  }
}
