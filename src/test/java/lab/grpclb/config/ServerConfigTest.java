package lab.grpclb.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** --max-concurrent-streams: its default worked out from the max heap, a value given, and bad values refused. */
class ServerConfigTest {
  private static final long MIB = 1L << 20;

  @Test
  void theDefaultIsTheMaxHeapOverSixtyFourKib() {
    assertEquals(32_768, ServerConfig.maxConcurrentStreams(2048 * MIB), "G1 at -Xmx2g");
    assertEquals(27_312, ServerConfig.maxConcurrentStreams(1707 * MIB), "-Xmx2g at the image's flags (ParallelGC, NewRatio=1)");
    assertEquals(10_240, ServerConfig.maxConcurrentStreams(640 * MIB), "deploy/server.yaml's pod at the image's flags");
    assertEquals(96_448, ServerConfig.maxConcurrentStreams(6028 * MIB), "the JVM's default heap on 24 GiB");
    assertEquals(ServerConfig.MIN_MAX_CONCURRENT_STREAMS, ServerConfig.maxConcurrentStreams(4 * MIB));
    assertEquals(ServerConfig.MAX_MAX_CONCURRENT_STREAMS, ServerConfig.maxConcurrentStreams(1L << 40));
  }

  @Test
  void theFlagOrItsDefault() {
    assertEquals(ServerConfig.defaultMaxConcurrentStreams(), ServerConfig.from(Flags.none()).maxConcurrentStreams());
    assertEquals(10, server("--max-concurrent-streams", "10").maxConcurrentStreams());
    assertEquals(1_000_000, server("--max-concurrent-streams=1_000_000").maxConcurrentStreams());
  }

  @Test
  void badValuesAreOneLineNamingTheFlag() {
    for (String bad : new String[] {"0", "-5", "many", "2147483648"}) {
      ConfigException e = assertThrows(ConfigException.class, () -> server("--max-concurrent-streams", bad));
      assertEquals("--max-concurrent-streams must be an integer from 1 to 2147483647, got '" + bad + "'", e.getMessage());
      assertFalse(e.getMessage().contains("\n"));
    }
    assertEquals("--max-concurrent-streams needs a value (an integer from 1 to 2147483647)",
        assertThrows(ConfigException.class, () -> server("--max-concurrent-streams")).getMessage());
  }

  private static ServerConfig server(String... args) {
    return ServerConfig.from(Flags.parse(args, Map.of()));
  }
}
