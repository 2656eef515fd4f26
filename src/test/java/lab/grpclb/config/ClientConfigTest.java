package lab.grpclb.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The defaults a client built in code starts from, and the in-flight cap a 512 MiB heap holds per collector. */
class ClientConfigTest {
  private static final long HEAP_512M = 512L << 20;

  @Test
  void parallelGcHoldsFourKibPerCallAndG1IsCappedForItsPauses() {
    assertEquals(131_072, ClientConfig.maxInFlight(HEAP_512M, List.of("PS Scavenge", "PS MarkSweep")));
    assertEquals(60_000, ClientConfig.maxInFlight(HEAP_512M, List.of("G1 Young Generation", "G1 Old Generation")),
        "G1 copies live calls in its pauses: the cap bounds them");
    assertEquals(60_000, ClientConfig.maxInFlight(6L << 30, List.of("G1 Young Generation", "G1 Old Generation")));
  }

  @Test
  void zgcKeepsHalfTheHeapFreeForAllocationDuringItsCycles() {
    assertEquals(65_536, ClientConfig.maxInFlight(HEAP_512M, List.of("ZGC Cycles", "ZGC Pauses")));
  }

  @Test
  void defaultsAreTheFlagTablesWithoutDiscoveryAndAWitherChangesOneSetting() {
    ClientConfig defaults = ClientConfig.defaults();
    assertEquals(FlagTable.HTTP_HOST.defaultValue() + ":" + FlagTable.HTTP_PORT.defaultValue(),
        defaults.httpHost() + ":" + defaults.httpPort());
    assertEquals(FlagTable.TARGET.defaultValue(), defaults.target().toString());
    assertEquals(FlagTable.CALL_TIMEOUT_MS.defaultValue(), defaults.callTimeoutMs());
    assertEquals(FlagTable.DRAIN_TIMEOUT_MS.defaultValue(), defaults.drainTimeoutMs());
    assertEquals(BalancerConfig.DEFAULT, defaults.balancer());
    assertEquals(RetryPolicy.DEFAULT, defaults.retryPolicy());
    assertNull(defaults.kube(), "ClientWithKubeResolver needs an API given");
    assertNull(defaults.dns(), "ClientWithDnsResolver needs a DNS server given");
    ClientConfig changed = defaults.withMaxN(7).withDrainTimeoutMs(3);
    assertEquals(7, changed.maxN());
    assertEquals(defaults, changed.withMaxN(defaults.maxN()).withDrainTimeoutMs(defaults.drainTimeoutMs()));
  }

  @Test
  void neverBelowTheReferencesLargestRun() {
    assertEquals(ClientConfig.MIN_IN_FLIGHT, ClientConfig.maxInFlight(32L << 20, List.of("PS Scavenge")));
  }
}
