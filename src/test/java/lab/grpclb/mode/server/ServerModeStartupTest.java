package lab.grpclb.mode.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import lab.grpclb.config.Flags;
import lab.grpclb.config.ServerConfig;
import lab.grpclb.mode.Running;
import org.junit.jupiter.api.Test;

/** The greeter's startup line says its streams per connection, and where the number came from (127.0.0.182). */
class ServerModeStartupTest {

  @Test
  void theStartupLineSaysTheLimitGivenOrWorkedOut() throws Exception {
    assertTrue(startupLine().contains(", at most " + ServerConfig.defaultMaxConcurrentStreams()
        + " concurrent streams per connection (--max-concurrent-streams's default: max heap "
        + (Runtime.getRuntime().maxMemory() >> 20) + " MiB / 64 KiB)"));
    assertTrue(startupLine("--max-concurrent-streams", "500")
        .contains(", at most 500 concurrent streams per connection (--max-concurrent-streams)"));
  }

  /** Starts {@code --mode server} on 127.0.0.182 with these flags and returns the line that names the pod IP. */
  private static String startupLine(String... flags) throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        lines.add(record.getMessage());
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    Logger logger = Logger.getLogger(ServerMode.class.getName());
    logger.addHandler(capture);
    try {
      String[] args = Stream.concat(Stream.of("--host", "127.0.0.182", "--port", "0", "--metrics-port", "0",
          "--pod-ip", "127.0.0.182"), Arrays.stream(flags)).toArray(String[]::new);
      Running running = ServerMode.start(Flags.parse(args, Map.of()), Vertx::vertx).await(10, TimeUnit.SECONDS);
      running.close().await(10, TimeUnit.SECONDS);
      running.vertx().close().await(10, TimeUnit.SECONDS);
    } finally {
      logger.removeHandler(capture);
    }
    return lines.stream().filter(line -> line.startsWith("pod IP 127.0.0.182")).findFirst()
        .orElseThrow(() -> new AssertionError("no startup line in " + lines));
  }
}
