package lab.grpclb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lab.grpclb.config.Flags;
import lab.grpclb.config.LocalConfig;
import lab.grpclb.local.LocalMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README's curl, run with the real curl against a real local mode (gRPC port 50878, no other test uses it), only
 * the port changed: the answer a newcomer gets first, full and compact. .ci/run installs curl where it is missing.
 */
@ExtendWith(VertxExtension.class)
class ReadmeCurlTest {
  private static final Pattern CURL = Pattern.compile("curl '(http://127\\.0\\.0\\.1:8080(/experiment/client\\?[^']+))'");

  @Test
  void theReadmesCurlGetsTheWriteupsAnswerAndItsCompactForm(Vertx vertx) throws Exception {
    Matcher line = CURL.matcher(Files.readString(Path.of("README.md")));
    assertTrue(line.find(), "README.md shows a curl of /experiment/client on 127.0.0.1:8080");
    LocalConfig config = LocalConfig.from(Flags.parse(new String[] {"--delay-ms", "20", "--http-port", "0",
        "--api-port", "0", "--dns-port", "0", "--port", "50878", "--jit-warmup-calls", "0"}, Map.of()));
    LocalMode local = new LocalMode(vertx, config).start().await(10, TimeUnit.SECONDS);
    try {
      String url = "http://127.0.0.1:" + local.client().port() + line.group(2);
      JsonObject full = new JsonObject(curl(url));
      int n = Integer.parseInt(line.group(2).replaceFirst(".*[?&]n=(\\d+).*", "$1"));
      assertEquals(n, full.getInteger("ok"), full.encode());
      assertEquals(n, full.getJsonObject("count_per_ip").stream().mapToInt(e -> (Integer) e.getValue()).sum());
      assertTrue(full.containsKey("time") && full.containsKey("latency_ms"), "the write-up's fields and ours");
      JsonObject compact = new JsonObject(curl(url + "&format=compact"));
      assertEquals(full.getString("type"), compact.getString("type"));
      assertTrue(compact.containsKey("count_per_ip") && compact.containsKey("p99_ms"), compact.encode());
      assertTrue(compact.fieldNames().size() < full.fieldNames().size(), "one screen: " + compact.encode());
    } finally {
      local.close().await(20, TimeUnit.SECONDS);
    }
  }

  /** The real curl, off the event loop (a test thread); its body, or a failure naming its exit code and stderr. */
  private static String curl(String url) throws IOException, InterruptedException {
    Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "30", url).start();
    String body = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(curl.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, curl.waitFor(), "curl " + url + ": " + err);
    return body;
  }
}
