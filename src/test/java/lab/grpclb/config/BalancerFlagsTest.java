package lab.grpclb.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.grpc.common.GrpcStatus;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The balancer's flags on the client, and the injected failures' flags on the server. */
class BalancerFlagsTest {

  static Flags flags(String... args) {
    return Flags.parse(args, Map.of());
  }

  @Test
  void withoutFlagsTheClientBalancesRoundRobinWithLinkerdsEwmaAndNoEjection() {
    assertEquals(BalancerConfig.DEFAULT, ClientConfig.from(flags()).balancer());
    assertEquals(new OutlierEjection(false, 10_000, 85, 5, 50, 30_000, 300_000, 10), BalancerConfig.DEFAULT.ejection());
  }

  @Test
  void everyBalancerFlagIsReadInClientAndLocalMode() {
    String[] args = {"--lb", "peak_ewma", "--ewma-decay-ms", "5000", "--ewma-initial-rtt-ms", "50", "--outlier-ejection",
        "--ejection-interval-ms", "2000", "--ejection-threshold", "40", "--ejection-base-ms", "1000",
        "--ejection-min-hosts", "3", "--ejection-request-volume", "10", "--health-check-service", "shop.Cart",
        "--wrr-blackout-ms", "0", "--wrr-expiration-ms", "60000", "--wrr-update-ms", "100", "--wrr-error-penalty", "0.5",
        "--wrr-oob", "--wrr-oob-period-ms", "2000", "--slow-start-window-ms", "30000", "--slow-start-aggression", "2",
        "--slow-start-min-weight-percent", "5", "--subset-size", "3", "--client-id", "client-7", "--zone-aware",
        "--zone", "b", "--zones", "a, b,c"};
    BalancerConfig expected = new BalancerConfig(LbPolicy.PEAK_EWMA, 5_000, 50,
        new WeightedRoundRobinConfig(0, 60_000, 100, 0.5, true, 2_000), new SlowStartConfig(30_000, 2, 5),
        new OutlierEjection(true, 2_000, 40, 3, 10, 1_000, 300_000, 10), new HealthCheck("shop.Cart"),
        new FleetConfig("client-7", "b", List.of("a", "b", "c"), new FleetPolicy(3, true)));
    readInClientAndLocalMode(args, ClientConfig::balancer, expected);
  }

  @Test
  void theFleetFlagsDefaultToNoSubsetNoZonesAndAnIdPerProcess() {
    FleetConfig fleet = ClientConfig.from(flags(new String[0])).balancer().fleet();
    assertEquals(FleetPolicy.OFF, fleet.defaults());
    assertEquals(null, fleet.zone());
    assertTrue(fleet.clientId().endsWith("-" + ProcessHandle.current().pid()), fleet.clientId());
    assertEquals("--zones must include --zone 'd', got [a, b]", assertThrows(ConfigException.class,
        () -> ClientConfig.from(flags(new String[] {"--zone", "d", "--zones", "a,b"}))).getMessage());
  }

  /** {@code args} give the client's {@code setting} as {@code expected} in client and local mode; both know them. */
  static <T> void readInClientAndLocalMode(String[] args, Function<ClientConfig, T> setting, T expected) {
    Flags client = flags(args);
    assertEquals(expected, setting.apply(ClientConfig.from(client)));
    client.rejectUnknown(Mode.CLIENT);
    Flags local = flags(args);
    assertEquals(expected, setting.apply(LocalConfig.from(local).client()));
    local.rejectUnknown(Mode.LOCAL);
  }

  /** weighted_round_robin's defaults are gRFC A58's; slow start is off unless given a window, as in Envoy. */
  @Test
  void weightedRoundRobinDefaultsAreA58sAndSlowStartIsOff() {
    assertEquals(new WeightedRoundRobinConfig(10_000, 180_000, 1_000, 1.0, false, 10_000), BalancerConfig.DEFAULT.wrr());
    assertEquals(new SlowStartConfig(0, 1.0, 10), BalancerConfig.DEFAULT.slowStart());
    assertFalse(BalancerConfig.DEFAULT.slowStart().on());
  }

  @Test
  void aBadWeightOrSlowStartValueIsAStartupErrorNamingTheFlag() {
    Map<String, String> errors = Map.of(
        "--wrr-update-ms=50", "--wrr-update-ms must be an integer from 100 to 3600000, got '50'",
        "--wrr-error-penalty=-1", "--wrr-error-penalty must be a number, 0 or more (at most 10 decimals), got '-1'",
        "--slow-start-aggression=0", "--slow-start-aggression must be a number above 0 (at most 10 decimals), got '0'",
        "--slow-start-min-weight-percent=101",
        "--slow-start-min-weight-percent must be an integer from 0 to 100, got '101'");
    errors.forEach((flag, message) ->
        assertEquals(message, assertThrows(ConfigException.class, () -> ClientConfig.from(flags(flag))).getMessage()));
  }

  /** gRFC A17 is on by default, for the Greeter the pods serve; {@code off} turns it off. */
  @Test
  void healthCheckingWatchesTheGreeterUnlessTurnedOff() {
    assertEquals(new HealthCheck(experiment.GreeterGrpcService.SERVICE_NAME.fullyQualifiedName()),
        BalancerConfig.DEFAULT.healthCheck());
    assertEquals(HealthCheck.OFF, ClientConfig.from(flags("--health-check-service", "off")).balancer().healthCheck());
    ConfigException e = assertThrows(ConfigException.class,
        () -> ClientConfig.from(flags("--health-check-service", "my service")));
    assertEquals("--health-check-service must be a gRPC service name (such as experiment.Greeter) or off, got 'my"
        + " service'", e.getMessage());
  }

  @Test
  void anUnknownLbPolicyIsAStartupErrorNamingTheValidOnes() {
    ConfigException e = assertThrows(ConfigException.class, () -> ClientConfig.from(flags("--lb", "fastest")));
    assertEquals("--lb must be one of round_robin, least_request, peak_ewma, weighted_round_robin, pick_first, got 'fastest'",
        e.getMessage());
    assertEquals(LbPolicy.LEAST_REQUEST, LbPolicy.parse("least_request").orElseThrow());
    assertTrue(LbPolicy.parse("LEAST_REQUEST").isEmpty(), "wire names only");
    assertThrows(ConfigException.class, () -> ClientConfig.from(flags("--ejection-threshold", "101")));
  }

  @Test
  void aServerCanBeStartedFailingAShareOfItsCalls() {
    assertEquals(ErrorInjection.NONE, ServerConfig.from(flags()).errors());
    assertEquals(new ErrorInjection(0.25, GrpcStatus.ABORTED),
        ServerConfig.from(flags("--error-rate", "0.25", "--error-status", "aborted")).errors());
    assertEquals(new ErrorInjection(0.5, GrpcStatus.UNAVAILABLE), ServerConfig.from(flags("--error-rate=0.5")).errors());
    ConfigException rate = assertThrows(ConfigException.class, () -> ServerConfig.from(flags("--error-rate", "2")));
    assertEquals("--error-rate must be a number from 0 to 1, got '2'", rate.getMessage());
    ConfigException status = assertThrows(ConfigException.class,
        () -> ServerConfig.from(flags("--error-rate", "0.1", "--error-status", "OK")));
    assertTrue(status.getMessage().startsWith("--error-status must be one of CANCELLED, UNKNOWN,"), status.getMessage());
    assertTrue(status.getMessage().endsWith("got 'OK'"), status.getMessage());
  }
}
