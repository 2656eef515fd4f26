package lab.grpclb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code --log-format json}: one JSON object per line, the pod or endpoint as fields; text stays the default. */
class LogFormatTest {
  static final String POD_IP = "127.0.0.31"; // no other test uses it

  static JsonObject format(Level level, String message, Throwable thrown) {
    LogRecord record = new LogRecord(level, message);
    record.setLoggerName("lab.grpclb.local.LocalCluster");
    record.setInstant(Instant.parse("2026-12-02T10:15:30.123Z"));
    record.setThrown(thrown);
    String line = new JsonLogFormatter().format(record);
    assertTrue(line.endsWith(System.lineSeparator()) && line.indexOf('\n') == line.length() - System.lineSeparator().length(),
        "one line: " + line);
    return new JsonObject(line);
  }

  @Test
  void aLineIsOneJsonObjectWithTimeLevelLoggerAndMessage() {
    JsonObject line = format(Level.INFO, "local cluster up in 412 ms\n  pod  a  127.0.0.2:50051", null);
    assertEquals("2026-12-02T10:15:30.123Z", line.getString("time"));
    assertEquals("INFO", line.getString("level"));
    assertEquals("lab.grpclb.local.LocalCluster", line.getString("logger"));
    assertEquals("local cluster up in 412 ms\n  pod  a  127.0.0.2:50051", line.getString("message"));
    assertNull(line.getString("pod"));
    assertNull(line.getString("error"));
  }

  @Test
  void theLinesSubjectBecomesFields() {
    JsonObject killed = format(Level.INFO, "pod greeter-server-7d9f8-x2k4q (127.0.0.3) killed: its endpoint stays ready", null);
    assertEquals("greeter-server-7d9f8-x2k4q", killed.getString("pod"));
    assertEquals("127.0.0.3", killed.getString("pod_ip"));
    JsonObject ready = format(Level.INFO, "pod greeter-server-7d9f8-x2k4q ready on 127.0.0.4:50051", null);
    assertEquals("greeter-server-7d9f8-x2k4q", ready.getString("pod"));
    assertEquals("127.0.0.4", ready.getString("pod_ip"));
    JsonObject failed = format(Level.WARNING, "pod greeter-server-7d9f8-x2k4q failed to start: bind", null);
    assertEquals("greeter-server-7d9f8-x2k4q", failed.getString("pod"));
    assertEquals("WARNING", failed.getString("level"));
    JsonObject server = format(Level.INFO, "pod 10.244.0.7: health NOT_SERVING", null);
    assertEquals("10.244.0.7", server.getString("pod_ip"));
    assertNull(server.getString("pod"));
    JsonObject endpoint = format(Level.INFO, "endpoint 10.244.0.7:50051 (greeter-server-7d9f8-x2k4q) removed", null);
    assertEquals("10.244.0.7:50051", endpoint.getString("endpoint"));
    assertEquals("greeter-server-7d9f8-x2k4q", endpoint.getString("pod"));
    JsonObject failure = format(Level.INFO, "endpoint 10.244.0.7:50051 TRANSIENT_FAILURE: refused", null);
    assertEquals("10.244.0.7:50051", failure.getString("endpoint"));
    assertNull(failure.getString("pod"));
  }

  @Test
  void anErrorIsOneFieldNotAStackTrace() {
    JsonObject line = format(Level.WARNING, "watch failed", new IllegalStateException("410 Gone"));
    assertEquals("java.lang.IllegalStateException: 410 Gone", line.getString("error"));
  }

  @Test
  void aBadFormatIsAStartupErrorNamingTheValidOnes() {
    MainTest.rejectedInEveryMode("--log-format must be text|json, got 'xml'", "--log-format", "xml");
  }

  /** The real entry point in a child JVM: every line it writes while serving and draining is a JSON object. */
  @Test
  void theServerWritesJsonLinesAndTextStaysTheDefault() throws Exception {
    List<String> json = childLog("--log-format", "json");
    assertFalse(json.isEmpty());
    for (String line : json) {
      JsonObject parsed = new JsonObject(line);
      assertTrue(parsed.containsKey("time") && parsed.containsKey("level") && parsed.containsKey("logger"), line);
    }
    Supplier<String> all = () -> String.join("\n", json);
    assertTrue(json.stream().map(JsonObject::new).anyMatch(l -> POD_IP.equals(l.getString("pod_ip"))
        && l.getString("message").contains("NOT_SERVING")), all.get());

    List<String> text = childLog();
    assertTrue(text.stream().anyMatch(l -> Pattern.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO greeter listening on .*", l)),
        String.join("\n", text));
  }

  /** Starts a server, waits until it listens, stops it with SIGTERM and returns what it logged. */
  static List<String> childLog(String... flags) throws Exception {
    Path log = Files.createTempFile("log-format", ".log");
    try {
      List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
          .toString(), "-cp", System.getProperty("java.class.path"), "lab.grpclb.Main", "--mode", "server",
          "--host", POD_IP, "--port", "0", "--pod-ip", POD_IP, "--delay-ms", "0"));
      command.addAll(List.of(flags));
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      ChildLog.awaitPort(log, Pattern.compile("greeter listening on [0-9.]+:(\\d+)"));
      process.destroy(); // SIGTERM: the drain logs its lines too
      assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the server exits");
      return Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList();
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
