package lab.grpclb.experiment;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import lab.grpclb.config.ApiAccess;
import lab.grpclb.page.LabPage;

/**
 * The first handler of the client's HTTP API: keeps web pages the user visits, and strangers, from driving it.
 * <ul>
 *   <li>A request sent by another site's page is refused (403): a foreign {@code Origin}, or a browser's
 *   {@code Sec-Fetch-Site} of {@code cross-site} or {@code same-site} (an {@code <img>} GET sends no Origin). Only
 *   a plain navigation to the page itself may come from elsewhere: it reads nothing and changes nothing.</li>
 *   <li>On a loopback address, or once {@code --allowed-hosts} is given, a {@code Host} that is neither a loopback
 *   name nor allowed is refused (421): a DNS-rebinding page names its own host.</li>
 *   <li>With {@code --api-token}, every route but {@code /healthz}, {@code /metrics} and the page's static files
 *   needs {@code Authorization: Bearer TOKEN} (401).</li>
 * </ul>
 */
public final class ApiGuard implements Handler<RoutingContext> {
  /** What probes and scrapers ask for without a token. */
  private static final Set<String> OPEN_PATHS = Set.of("/healthz", "/metrics");

  private final ApiAccess access;
  private final boolean checkHost;
  private final byte[] token;
  private final Consumer<String> refused;

  /**
   * {@code bindHost}: the address the API listens on; a loopback one means only loopback names are expected.
   * {@code refused} is told of each refusal by its reason: {@code origin}, {@code host} or {@code token}.
   */
  public ApiGuard(ApiAccess access, String bindHost, Consumer<String> refused) {
    this.access = access;
    this.refused = refused;
    this.checkHost = isLoopback(bindHost) || !access.allowedHosts().isEmpty();
    this.token = access.token() == null ? null : ("Bearer " + access.token()).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String why = checkHost ? foreignHost(request) : null;
    if (why != null) {
      refuse(ctx, 421, "host", why);
    } else if ((why = crossSite(request)) != null) {
      refuse(ctx, 403, "origin", why);
    } else if (token != null && !open(request) && !hasToken(request)) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"grpc-lb-lab\"");
      refuse(ctx, 401, "token", "this API needs the header Authorization: Bearer TOKEN, with the token set by"
          + " --api-token (env " + ApiAccess.TOKEN_ENV + "); /healthz and /metrics need none");
    } else {
      ctx.next();
    }
  }

  private void refuse(RoutingContext ctx, int status, String reason, String why) {
    refused.accept(reason);
    Responses.error(ctx, status, why);
  }

  /** Why the Host header names a host this API does not serve, or null. */
  private String foreignHost(HttpServerRequest request) {
    HostAndPort authority = request.authority();
    if (authority == null) {
      return null; // an HTTP/1.0 request without Host: no browser sends one
    }
    String host = authority.host().toLowerCase(Locale.ROOT);
    if (isLoopback(host) || access.allowedHosts().contains(host)) {
      return null;
    }
    return "Host '" + authority.host() + "' is not this lab's: it answers to localhost, 127.0.0.0/8 and [::1]"
        + (access.allowedHosts().isEmpty() ? "" : " and " + String.join(", ", access.allowedHosts()))
        + "; name more with --allowed-hosts (a page that rebinds its own name to this address is refused)";
  }

  /** Why the request comes from another site's page, or null. */
  private static String crossSite(HttpServerRequest request) {
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    String own = ownHostAndPort(request.authority());
    if (origin != null && !(origin.equals("http://" + own) || origin.equals("https://" + own))) {
      return "Origin '" + origin + "' is not this lab's (http://" + own + "): another site's page may not use"
          + " this API";
    }
    String site = request.getHeader("Sec-Fetch-Site");
    boolean fromElsewhere = "cross-site".equals(site) || "same-site".equals(site);
    if (fromElsewhere && !pageNavigation(request)) {
      return "a request sent by another site's page (Sec-Fetch-Site: " + site + ") may not use this API;"
          + " open the lab's page at its own address";
    }
    return null;
  }

  /** The request's host and port as an Origin spells them: {@code 127.0.0.1:8080}, {@code [::1]:8080}. */
  private static String ownHostAndPort(HostAndPort authority) {
    if (authority == null) {
      return null;
    }
    String host = authority.host().contains(":") && !authority.host().startsWith("[")
        ? "[" + authority.host() + "]" : authority.host();
    return authority.port() > 0 ? host + ":" + authority.port() : host;
  }

  /** A browser opening the lab's page from a link: a top-level GET of / that asks for nothing else. */
  private static boolean pageNavigation(HttpServerRequest request) {
    return request.method() == HttpMethod.GET && "/".equals(request.path())
        && "navigate".equals(request.getHeader("Sec-Fetch-Mode")) && LabPage.wantsPage(request);
  }

  /** The routes a token does not guard: probes, scrapes, and the page's static files (they hold no data). */
  private static boolean open(HttpServerRequest request) {
    String path = request.path();
    return OPEN_PATHS.contains(path) || request.method() == HttpMethod.GET
        && (path.startsWith("/lab/") || "/".equals(path) && LabPage.wantsPage(request));
  }

  private boolean hasToken(HttpServerRequest request) {
    String given = request.getHeader(HttpHeaders.AUTHORIZATION);
    return given != null && MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8));
  }

  public static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost") || h.endsWith(".localhost") || h.equals("::1") || h.equals("[::1]")
        || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }
}
