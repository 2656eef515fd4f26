package lab.grpclb.config;

import io.vertx.grpc.common.GrpcStatus;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A pod that fails a share of its calls on purpose: each call fails with {@code status} with probability
 * {@code rate}, at once, saying it was injected. Rate 0 is a healthy pod. Set with {@code --error-rate} and
 * {@code --error-status} on a server, or {@code POST /cluster/pods/NAME/errors} in the local cluster.
 */
public record ErrorInjection(double rate, GrpcStatus status) {
  public static final ErrorInjection NONE = new ErrorInjection(0, GrpcStatus.UNAVAILABLE);
  /** What the failing calls answer, naming where it came from. */
  public static final String REASON = "injected failure";

  public ErrorInjection {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException("rate must be a number from 0 to 1, got " + rate);
    }
    if (status == GrpcStatus.OK) {
      throw new IllegalArgumentException("an injected failure cannot be OK");
    }
  }

  /**
   * Parses a rate ("0.5") and a status name ("UNAVAILABLE", any case; null means UNAVAILABLE). Fails with one
   * line that starts with the parameter's name ("rate ..." or "status ...") and names the valid values.
   */
  public static ErrorInjection parse(String rawRate, String rawStatus) {
    return new ErrorInjection(parseRate(rawRate), rawStatus == null ? GrpcStatus.UNAVAILABLE : parseStatus(rawStatus));
  }

  private static double parseRate(String raw) {
    Double rate = PlainNumber.decimal(raw);
    if (rate == null || rate > 1) {
      throw new IllegalArgumentException("rate must be a number from 0 to 1" + (raw == null ? ", and is missing" : ", got '" + raw + "'"));
    }
    return rate;
  }

  private static GrpcStatus parseStatus(String raw) {
    String name = raw.toUpperCase(Locale.ROOT);
    return Arrays.stream(GrpcStatus.values()).filter(s -> s != GrpcStatus.OK && s.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("status must be one of " + statusNames() + ", got '" + raw + "'"));
  }

  /** Every gRPC status but OK. */
  public static String statusNames() {
    return Arrays.stream(GrpcStatus.values()).filter(s -> s != GrpcStatus.OK).map(GrpcStatus::name)
        .collect(Collectors.joining(", "));
  }

  /** {@code --error-rate} and {@code --error-status}. */
  static ErrorInjection from(Flags flags) {
    String rate = flags.text(FlagTable.ERROR_RATE);
    String status = flags.text(FlagTable.ERROR_STATUS);
    try {
      return parse(rate, status);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--error-" + e.getMessage()); // "--error-rate must be ...", "--error-status must be ..."
    }
  }

  public boolean active() {
    return rate > 0;
  }
}
