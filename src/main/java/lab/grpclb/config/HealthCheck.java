package lab.grpclb.config;

/**
 * gRFC A17 client health checking for the balancing types: each READY connection watches
 * {@code grpc.health.v1.Health} for {@code service}, and only a SERVING endpoint is picked. {@link #OFF} trusts every
 * READY connection, as gRPC does without a {@code healthCheckConfig} in its service config.
 */
public record HealthCheck(String service) {
  /** The flag's value that turns health checking off. */
  private static final String OFF_VALUE = "off";
  public static final HealthCheck OFF = new HealthCheck(null);

  public static HealthCheck from(Flags flags) {
    String raw = flags.text(FlagTable.HEALTH_CHECK_SERVICE).trim();
    if (raw.isEmpty() || raw.chars().anyMatch(Character::isWhitespace)) {
      throw new ConfigException("--" + FlagTable.HEALTH_CHECK_SERVICE.name() + " must be a gRPC service name (such as "
          + FlagTable.HEALTH_CHECK_SERVICE.defaultValue() + ") or " + OFF_VALUE + ", got '" + raw + "'");
    }
    return raw.equals(OFF_VALUE) ? OFF : new HealthCheck(raw);
  }

  public boolean on() {
    return service != null;
  }
}
