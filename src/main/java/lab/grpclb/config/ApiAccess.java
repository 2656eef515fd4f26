package lab.grpclb.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Who may use the client's HTTP API: a bearer token every route but {@code /healthz} and {@code /metrics} then
 * needs ({@code --api-token}, env {@code LAB_API_TOKEN}; null for an open API), and the host names a request may
 * name besides the loopback ones ({@code --allowed-hosts}), against DNS rebinding.
 */
public record ApiAccess(String token, List<String> allowedHosts) {
  public static final String TOKEN_ENV = FlagTable.API_TOKEN.env();
  /** Long enough that guessing it over HTTP is hopeless: {@code openssl rand -hex 16} gives 32. */
  public static final int MIN_TOKEN_LENGTH = 16;
  public static final ApiAccess OPEN = new ApiAccess(null, List.of());

  public static ApiAccess from(Flags flags) {
    String token = flags.text(FlagTable.API_TOKEN);
    if (token != null && token.length() < MIN_TOKEN_LENGTH) {
      throw new ConfigException("--api-token (or env " + TOKEN_ENV + ") must be at least " + MIN_TOKEN_LENGTH
          + " characters, got " + token.length() + " (openssl rand -hex 16 makes one)");
    }
    String hosts = flags.text(FlagTable.ALLOWED_HOSTS);
    List<String> allowed = hosts == null ? List.of() : Arrays.stream(hosts.split(","))
        .map(h -> h.trim().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty()).toList();
    for (String host : allowed) {
      if (host.contains(":") || host.contains("/")) {
        throw new ConfigException("--allowed-hosts takes host names without port or scheme, got '" + host + "'");
      }
    }
    return new ApiAccess(token, allowed);
  }

  public boolean needsToken() {
    return token != null;
  }
}
