package lab.grpclb.config;

/** A {@code host:port} pair as given on the command line. */
public record HostPort(String host, int port) {

  public static HostPort parse(String flag, String value) {
    int colon = value.lastIndexOf(':');
    if (colon > 0 && colon < value.length() - 1) {
      try {
        int port = Integer.parseInt(value.substring(colon + 1));
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
          host = host.substring(1, host.length() - 1); // an IPv6 literal, [::1]:50051
        }
        if (port > 0 && port < 65536 && !host.isEmpty()) {
          return new HostPort(host, port);
        }
      } catch (NumberFormatException ignored) {
        // reported below
      }
    }
    throw new ConfigException(flag + " must look like host:port with a port from 1 to 65535, got '" + value + "'");
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
