package lab.grpclb.experiment;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** JSON answers, errors included: every error is {"error": "..."}, never a stack trace. */
public final class Responses {
  private Responses() {
  }

  public static void json(RoutingContext ctx, int status, JsonObject body) {
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encodePrettily());
    }
  }

  public static void error(RoutingContext ctx, int status, String message) {
    json(ctx, status, new JsonObject().put("error", message));
  }

  /** Unknown paths and unexpected failures answer JSON too. */
  public static void mountFallbacks(Router router) {
    router.route().last().handler(ctx -> error(ctx, 404, "no such path: " + ctx.request().method() + " " + ctx.request().path()));
    router.route().failureHandler(ctx -> {
      int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
      String reason = ctx.failure() == null ? "request failed" : String.valueOf(ctx.failure().getMessage());
      error(ctx, status, reason);
    });
  }
}
