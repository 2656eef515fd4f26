package lab.grpclb.page;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import lab.grpclb.http.PageRequest;
import lab.grpclb.http.Responses;
import lab.grpclb.http.StrictQuery;

/**
 * The live lab page: {@code GET /} from a browser (Accept: text/html, no query) answers the page, and its
 * script and style are {@code GET /lab/FILE}, all resources of the jar, so it works offline. Any other
 * {@code GET /} (curl's Accept: *&#47;*, or a query) goes on to the write-up's experiment route.
 */
public final class LabPage {
  static final String RESOURCES = "lab/";
  private static final Map<String, String> TYPES = Map.of(
      "index.html", "text/html; charset=utf-8",
      "lab.js", "text/javascript; charset=utf-8",
      "charts.js", "text/javascript; charset=utf-8",
      "lab.css", "text/css; charset=utf-8");

  private final Map<String, Buffer> files;

  private LabPage(Map<String, Buffer> files) {
    this.files = files;
  }

  /** Reads the page's files from the jar on a worker thread: once, at startup. */
  public static Future<LabPage> load(Vertx vertx) {
    return vertx.executeBlocking(() -> {
      Map<String, Buffer> files = new LinkedHashMap<>();
      for (String name : TYPES.keySet()) {
        files.put(name, Buffer.buffer(read(RESOURCES + name)));
      }
      return new LabPage(files);
    });
  }

  /** Mounted before the experiment's {@code GET /}, which gets every request this passes on. */
  public void mount(Router router) {
    router.get("/").handler(ctx -> {
      if (PageRequest.wantsPage(ctx.request())) {
        serve(ctx, "index.html");
      } else {
        ctx.next();
      }
    });
    router.get("/lab/:file").handler(StrictQuery.allow()).handler(ctx -> {
      String file = ctx.pathParam("file");
      if (files.containsKey(file)) {
        serve(ctx, file);
      } else {
        Responses.error(ctx, 404, "no lab page file '" + file + "'; files: " + String.join(", ", files.keySet()));
      }
    });
  }

  private void serve(RoutingContext ctx, String file) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, TYPES.get(file))
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache") // a newer jar's page is seen at once
        // no other site may frame the page and steer a user's clicks onto its buttons
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Content-Security-Policy", "frame-ancestors 'none'")
        .end(files.get(file));
  }

  private static byte[] read(String resource) {
    try (InputStream in = LabPage.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the jar lacks the lab page resource " + resource);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the lab page resource " + resource, e);
    }
  }
}
