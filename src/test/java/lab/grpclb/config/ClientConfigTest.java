package lab.grpclb.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The default in-flight cap: what a 512 MiB client heap holds under each kind of collector. */
class ClientConfigTest {
  private static final long HEAP_512M = 512L << 20;

  @Test
  void parallelGcHoldsTwelveKibPerCallAndG1IsCappedForItsPauses() {
    assertEquals(43_690, ClientConfig.maxInFlight(HEAP_512M, List.of("PS Scavenge", "PS MarkSweep")));
    assertEquals(20_000, ClientConfig.maxInFlight(HEAP_512M, List.of("G1 Young Generation", "G1 Old Generation")),
        "G1 copies live calls in its pauses: the cap bounds them");
    assertEquals(20_000, ClientConfig.maxInFlight(6L << 30, List.of("G1 Young Generation", "G1 Old Generation")));
  }

  @Test
  void zgcKeepsHalfTheHeapFreeForAllocationDuringItsCycles() {
    assertEquals(21_845, ClientConfig.maxInFlight(HEAP_512M, List.of("ZGC Cycles", "ZGC Pauses")));
  }

  @Test
  void neverBelowTheReferencesLargestRun() {
    assertEquals(ClientConfig.MIN_IN_FLIGHT, ClientConfig.maxInFlight(64L << 20, List.of("PS Scavenge")));
  }
}
