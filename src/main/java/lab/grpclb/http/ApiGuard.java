package lab.grpclb.http;

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
import java.util.regex.Pattern;
import lab.grpclb.config.ApiAccess;

/**
 * The first handler of the client's HTTP API: keeps web pages the user visits, and strangers, from driving it.
 * <ul>
 *   <li>A {@code Host} that names the lab by a DNS name it does not know is refused (421): a DNS-rebinding page
 *   names its own host. IP addresses, loopback names and {@code --allowed-hosts} pass, and any name once a token
 *   is required (a rebinding page cannot know the token).</li>
 *   <li>A request sent by another site's page is refused (403): a foreign {@code Origin}, or a browser's
 *   {@code Sec-Fetch-Site} of {@code cross-site} or {@code same-site} (an {@code <img>} GET sends no Origin). Only
 *   a top-level navigation to the page itself may come from elsewhere: it reads nothing and changes nothing.</li>
 *   <li>With {@code --api-token}, every route but {@code /healthz}, {@code /metrics} and the page's files needs
 *   {@code Authorization: Bearer TOKEN} (401).</li>
 * </ul>
 * Paths are judged as the router routes them ({@link RoutingContext#normalizedPath()}), so {@code /lab/../status}
 * is {@code /status}.
 */
public final class ApiGuard implements Handler<RoutingContext> {
  /** What probes and scrapers ask for without a token. */
  private static final Set<String> OPEN_PATHS = Set.of("/healthz", "/metrics");
  /** One of the page's files: /lab/NAME, nothing below it. */
  private static final Pattern PAGE_FILE = Pattern.compile("/lab/[A-Za-z0-9._-]+");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final String BEARER = "bearer ";

  private final ApiAccess access;
  private final byte[] token;
  private final Consumer<String> refused;

  /** {@code refused} is told of each refusal by its reason: {@code origin}, {@code host} or {@code token}. */
  public ApiGuard(ApiAccess access, Consumer<String> refused) {
    this.access = access;
    this.refused = refused;
    this.token = access.token() == null ? null : access.token().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String path = ctx.normalizedPath();
    String why = foreignHost(request);
    if (why != null) {
      refuse(ctx, 421, "host", why);
    } else if ((why = crossSite(request, path)) != null) {
      refuse(ctx, 403, "origin", why);
    } else if (token != null && !open(request, path) && !hasToken(request)) {
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

  /** Why the Host header names the lab by a name it does not answer to, or null. */
  private String foreignHost(HttpServerRequest request) {
    HostAndPort authority = request.authority();
    if (authority == null || token != null) {
      return null; // an HTTP/1.0 request without Host (no browser sends one); or the token guards every name
    }
    String host = authority.host().toLowerCase(Locale.ROOT);
    if (isLoopback(host) || isIpAddress(host) || access.allowedHosts().contains(host)) {
      return null;
    }
    return "Host '" + authority.host() + "' is not a name this lab answers to: it answers to IP addresses,"
        + " localhost" + (access.allowedHosts().isEmpty() ? "" : ", " + String.join(", ", access.allowedHosts()))
        + "; name more with --allowed-hosts, or set --api-token (a page that rebinds its own name to this address"
        + " is refused)";
  }

  /** Why the request comes from another site's page, or null. */
  private static String crossSite(HttpServerRequest request, String path) {
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    String own = ownHostAndPort(request.authority());
    if (origin != null && !(origin.equalsIgnoreCase("http://" + own) || origin.equalsIgnoreCase("https://" + own))) {
      return "Origin '" + origin + "' is not this lab's (http://" + own + "): another site's page may not use"
          + " this API";
    }
    String site = request.getHeader("Sec-Fetch-Site");
    boolean fromElsewhere = "cross-site".equals(site) || "same-site".equals(site);
    if (fromElsewhere && !pageNavigation(request, path)) {
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

  /**
   * A browser opening the lab's page from a link: a top-level document GET of / that asks for nothing else (not a
   * frame: the page may not be framed, see page/LabPage).
   */
  private static boolean pageNavigation(HttpServerRequest request, String path) {
    return request.method() == HttpMethod.GET && "/".equals(path)
        && "navigate".equals(request.getHeader("Sec-Fetch-Mode"))
        && "document".equals(request.getHeader("Sec-Fetch-Dest")) && PageRequest.wantsPage(request);
  }

  /** The routes a token does not guard: probes, scrapes, and the page's static files (they hold no data). */
  private static boolean open(HttpServerRequest request, String path) {
    return OPEN_PATHS.contains(path) || request.method() == HttpMethod.GET
        && (PAGE_FILE.matcher(path).matches() || "/".equals(path) && PageRequest.wantsPage(request));
  }

  /** {@code Authorization: Bearer TOKEN}, the scheme in any case (RFC 7235), the token compared in constant time. */
  private boolean hasToken(HttpServerRequest request) {
    String given = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (given == null || !given.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return false;
    }
    return MessageDigest.isEqual(token, given.substring(BEARER.length()).getBytes(StandardCharsets.UTF_8));
  }

  public static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost") || h.endsWith(".localhost") || h.equals("::1") || h.equals("[::1]")
        || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  /** An IP address, which no rebinding page can be served from under the lab's own origin. */
  static boolean isIpAddress(String host) {
    return IPV4.matcher(host).matches() || host.contains(":");
  }
}
