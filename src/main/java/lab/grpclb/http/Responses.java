package lab.grpclb.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** JSON answers, errors included: every error is {"error": "..."}, never a stack trace. */
public final class Responses {
  private Responses() {
  }

  /** Completes once the answer is written (or at once if the response had already ended). */
  public static Future<Void> json(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) {
      return Future.succeededFuture();
    }
    return ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encodePrettily());
  }

  public static Future<Void> error(RoutingContext ctx, int status, String message) {
    return json(ctx, status, new JsonObject().put("error", message));
  }

  /**
   * A request the HTTP decoder could not read (Vert.x's own answer has an empty body): a request line over 4 KB is
   * a 414, headers over 8 KB a 431, anything else a 400, each saying why; the connection is then closed, as its
   * next bytes cannot be trusted to start a request.
   */
  public static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status = cause instanceof TooLongHttpLineException ? 414
        : cause instanceof TooLongHttpHeaderException ? 431 : 400;
    String why = switch (status) {
      case 414 -> "the request line is over " + HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH
          + " bytes; no route of this API takes a query that long";
      case 431 -> "the request's headers are over " + HttpServerOptions.DEFAULT_MAX_HEADER_SIZE + " bytes";
      default -> "the request could not be read as HTTP: " + (cause == null ? "malformed" : cause.getMessage());
    };
    request.response().setStatusCode(status).putHeader("content-type", "application/json")
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(new JsonObject().put("error", why).encodePrettily())
        .onComplete(v -> request.connection().close());
  }

  /**
   * Mounted after every route: a known path asked with a method it does not serve answers 405 with an Allow
   * header, unknown paths 404, unexpected failures their status; all as JSON.
   */
  public static void mountFallbacks(Router router) {
    allowedMethodsByPath(router).forEach((path, methods) ->
        router.route(path).handler(ctx -> methodNotAllowed(ctx, methods)));
    router.route().last().handler(ctx -> error(ctx, 404, "no such path: " + ctx.request().method() + " " + ctx.request().path()));
    router.route().failureHandler(ctx -> {
      int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
      String reason = ctx.failure() == null ? "request failed" : String.valueOf(ctx.failure().getMessage());
      error(ctx, status, reason);
    });
  }

  /**
   * The methods each path's routes serve. vertx-web finds a 405 itself, but fills the Allow header only in its
   * own empty-bodied answer (an errorHandler(405) cannot see the methods), so one method-less route per path,
   * matched by the router as the real ones are, answers it in JSON instead.
   */
  private static Map<String, Set<HttpMethod>> allowedMethodsByPath(Router router) {
    Map<String, Set<HttpMethod>> byPath = new LinkedHashMap<>();
    for (Route route : router.getRoutes()) {
      Set<HttpMethod> methods = route.methods();
      if (route.getPath() != null && methods != null && !methods.isEmpty()) {
        byPath.computeIfAbsent(route.getPath(), path -> new TreeSet<>(Comparator.comparing(HttpMethod::name)))
            .addAll(methods);
      }
    }
    return byPath;
  }

  private static void methodNotAllowed(RoutingContext ctx, Set<HttpMethod> allowed) {
    String methods = String.join(", ", allowed.stream().map(HttpMethod::name).toList());
    ctx.response().putHeader(HttpHeaders.ALLOW, methods);
    error(ctx, 405, ctx.request().method() + " is not allowed on " + ctx.request().path() + "; use " + methods);
  }
}
