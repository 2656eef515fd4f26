package lab.grpclb.config;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where ClientWithKubeResolver finds the Kubernetes API and which Service it balances over. Defaults fit a
 * pod: the in-cluster API address and the service account's token, CA and namespace files.
 */
public record KubeConfig(URI apiUrl, String tokenFile, String caFile, String namespace, String service, String servicePort) {

  public static final String SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount/";

  /** Null when no API is configured: neither --kube-api nor KUBERNETES_SERVICE_HOST (not in a pod). */
  public static KubeConfig from(Flags flags) {
    String api = flags.text(FlagTable.KUBE_API);
    String tokenFile = flags.text(FlagTable.KUBE_TOKEN_FILE);
    String caFile = flags.text(FlagTable.KUBE_CA_FILE);
    String namespace = flags.text(FlagTable.NAMESPACE, defaultNamespace());
    String service = flags.text(FlagTable.SERVICE);
    String servicePort = flags.text(FlagTable.SERVICE_PORT);
    if (api == null) {
      String host = flags.env("KUBERNETES_SERVICE_HOST");
      String port = flags.env("KUBERNETES_SERVICE_PORT");
      if (host == null || host.isBlank()) {
        return null;
      }
      api = "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + (port == null ? "443" : port);
    }
    return new KubeConfig(parseUrl(api), tokenFile, caFile, namespace, service, servicePort);
  }

  /** At startup: over TLS the CA file must be readable, or discovery could never verify the API server. */
  public KubeConfig requireReadableCa() {
    if (tls() && !Files.isReadable(Path.of(caFile))) {
      throw new ConfigException("--kube-ca-file: cannot read the API server's CA certificate at " + caFile
          + " (needed to verify " + apiUrl + ")");
    }
    return this;
  }

  public boolean tls() {
    return "https".equals(apiUrl.getScheme());
  }

  public int apiPort() {
    return apiUrl.getPort() > 0 ? apiUrl.getPort() : tls() ? 443 : 80;
  }

  private static URI parseUrl(String raw) {
    try {
      URI uri = URI.create(raw);
      if (("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null) {
        return uri;
      }
    } catch (IllegalArgumentException ignored) {
      // reported below
    }
    throw new ConfigException("--kube-api must be an http(s)://host:port URL, got '" + raw + "'");
  }

  static String defaultNamespace() {
    try {
      Path file = Path.of(SERVICE_ACCOUNT + "namespace");
      return Files.isReadable(file) ? Files.readString(file).trim() : "default";
    } catch (IOException e) {
      return "default";
    }
  }
}
