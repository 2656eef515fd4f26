package lab.grpclb.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The balancing types' attempt flags (gRFC A6): retry policy, hedging and the retry throttle. */
class AttemptFlagsTest {

  static Flags flags(String... args) {
    return Flags.parse(args, Map.of());
  }

  @Test
  void byDefaultCallsRetryByThePolicyUnhedgedAndUnthrottled() {
    AttemptPolicy defaults = ClientConfig.from(flags()).attempts();
    assertEquals(AttemptPolicy.DEFAULT, defaults);
    assertEquals(new AttemptPolicy(RetryPolicy.DEFAULT, new HedgingPolicy(0, 2), new RetryThrottling(0, 0.1)),
        defaults);
    assertFalse(defaults.hedging().on(), "the write-up's numbers are made unhedged");
    assertFalse(defaults.throttling().on());
    assertEquals(2, defaults.maxAttempts(), "the retry policy's");
  }

  @Test
  void everyAttemptFlagIsReadInClientAndLocalModeAndHedgingTakesItsOwnMaxAttempts() {
    String[] args = {"--max-attempts", "4", "--hedging-delay-ms", "750", "--hedging-max-attempts", "3",
        "--retry-throttle-max-tokens", "10", "--retry-throttle-token-ratio", "0.25"};
    AttemptPolicy expected = new AttemptPolicy(new RetryPolicy(RetryPolicy.Kind.IDEMPOTENT, 4),
        new HedgingPolicy(750, 3), new RetryThrottling(10, 0.25));
    BalancerFlagsTest.readInClientAndLocalMode(args, ClientConfig::attempts, expected);
    assertEquals(3, expected.maxAttempts(), "a hedged call follows hedging's maxAttempts, not the policy's");
    assertEquals(1, expected.withRetry(new RetryPolicy(RetryPolicy.Kind.NONE, 4)).withHedging(HedgingPolicy.OFF)
        .maxAttempts(), "no policy, no hedging: one attempt");
  }

  @Test
  void badValuesAreStartupErrorsNamingTheFlag() {
    ConfigException ratio = assertThrows(ConfigException.class,
        () -> ClientConfig.from(flags("--retry-throttle-token-ratio", "0")));
    assertEquals("--retry-throttle-token-ratio must be a number above 0 (at most 3 decimals count), got '0'",
        ratio.getMessage());
    assertThrows(ConfigException.class, () -> ClientConfig.from(flags("--retry-throttle-token-ratio", "-1")));
    assertThrows(ConfigException.class, () -> ClientConfig.from(flags("--hedging-max-attempts", "1")));
    assertThrows(ConfigException.class, () -> ClientConfig.from(flags("--hedging-max-attempts", "6")));
    assertThrows(ConfigException.class, () -> ClientConfig.from(flags("--retry-throttle-max-tokens", "1001")));
  }
}
