package lab.grpclb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import lab.grpclb.config.ClientConfig;
import lab.grpclb.config.ConfigException;
import lab.grpclb.config.Flags;
import lab.grpclb.config.LocalConfig;
import lab.grpclb.config.ServerConfig;
import lab.grpclb.config.Work;
import org.junit.jupiter.api.Test;

/** Startup errors name the flag or env var and the expected form, exit 2, and print no stack trace. */
class MainTest {

  static String startupError(Map<String, String> env, String... args) {
    ConfigException e = assertThrows(ConfigException.class, () -> Main.start(args, env));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(2, Main.fail(e, new PrintStream(out, true, StandardCharsets.UTF_8)));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertTrue(printed.startsWith("grpc-lb-lab: "), printed);
    assertTrue(!printed.contains("\tat "), "no stack trace: " + printed);
    return printed;
  }

  static String startupError(String... args) {
    return startupError(Map.of(), args);
  }

  /** Every mode fails at startup on these flags, printing {@code message}. */
  static void rejectedInEveryMode(String message, String... flags) {
    for (String mode : List.of("server", "client", "local")) {
      List<String> args = new ArrayList<>(List.of("--mode", mode));
      args.addAll(List.of(flags));
      String printed = startupError(args.toArray(String[]::new));
      assertTrue(printed.contains(message), printed);
    }
  }

  @Test
  void modeIsRequiredAndChecked() {
    assertTrue(startupError().contains("--mode is required"));
    assertTrue(startupError("--mode", "proxy").contains("--mode must be server, client or local"));
  }

  @Test
  void badNumbersNameTheFlagAndTheRange() {
    assertTrue(startupError("--mode", "server", "--port", "http").contains("--port must be an integer from 0 to 65535, got 'http'"));
    assertTrue(startupError("--mode", "server", "--delay-ms", "-1").contains("--delay-ms must be an integer"));
    assertTrue(startupError("--mode", "server", "--max-concurrent-streams", "0")
        .contains("--max-concurrent-streams must be an integer from 1 to 2147483647, got '0'"));
    assertTrue(startupError("--mode", "client", "--jit-warmup-calls", "-1")
        .contains("--jit-warmup-calls must be an integer from 0 to 1000000, got '-1'"));
    assertTrue(startupError("--mode", "client", "--http-port", "70000").contains("--http-port"));
  }

  @Test
  void badEnvVarsAreNamedToo() {
    String printed = startupError(Map.of("GREETER_DELAY_MS", "soon"), "--mode", "server");
    assertTrue(printed.contains("env GREETER_DELAY_MS (or --delay-ms) must be an integer"), printed);
    printed = startupError(Map.of("GREETER_TARGET", "greeter-server"), "--mode", "client");
    assertTrue(printed.contains("--target (or env GREETER_TARGET) must look like host:port"), printed);
  }

  @Test
  void anUnreadableCaFileIsNamed() {
    String printed = startupError(Map.of(), "--mode", "client", "--kube-api", "https://127.0.0.1:6443",
        "--kube-ca-file", "/nonexistent/ca.crt");
    assertTrue(printed.contains("--kube-ca-file: cannot read the API server's CA certificate at /nonexistent/ca.crt"), printed);
  }

  @Test
  void unknownFlagsAreRejectedWithTheValidOnes() {
    String printed = startupError("--mode", "server", "--delay", "5");
    assertTrue(printed.contains("unknown flag --delay for --mode server"), printed);
    assertTrue(printed.contains("--delay-ms"), printed);
  }

  @Test
  void aBusyPortNamesTheFlagAndExits2() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 10, java.net.InetAddress.getByName("127.0.0.16"))) {
      String port = String.valueOf(taken.getLocalPort());
      RuntimeException e = assertThrows(RuntimeException.class, () -> Main.start(new String[] {"--mode", "server",
          "--host", "127.0.0.16", "--port", port, "--pod-ip", "127.0.0.16"}, Map.of()).await());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertEquals(2, Main.fail(e, new PrintStream(out, true, StandardCharsets.UTF_8)));
      String printed = out.toString(StandardCharsets.UTF_8);
      assertTrue(printed.contains("cannot listen on 127.0.0.16:" + port + " (--host/--port)"), printed);
      e = assertThrows(RuntimeException.class, () -> Main.start(new String[] {"--mode", "client",
          "--http-host", "127.0.0.16", "--http-port", port, "--target", "127.0.0.16:1"}, Map.of()).await());
      assertTrue(e.getMessage().contains("(--http-port)"), e.getMessage());
    }
  }

  /**
   * Local mode: something already listening on the second pod's address (127.0.0.3, gRPC port 50073, no other
   * test uses it) fails the initial rollout at once, naming the address and --port, where it used to wait
   * for the rollout timeout (30 s) and exit 1.
   */
  @Test
  void aBusyPodAddressFailsLocalModeAtOnceNamingPortAndExits2() throws Exception {
    int dnsPort;
    try (java.net.DatagramSocket free = new java.net.DatagramSocket(0, java.net.InetAddress.getByName("127.0.0.1"))) {
      dnsPort = free.getLocalPort();
    }
    try (java.net.ServerSocket taken = new java.net.ServerSocket(50073, 10, java.net.InetAddress.getByName("127.0.0.3"))) {
      long started = System.nanoTime();
      RuntimeException e = assertThrows(RuntimeException.class, () -> Main.start(new String[] {"--mode", "local",
          "--replicas", "3", "--delay-ms", "10", "--port", "50073", "--http-port", "0", "--api-port", "0",
          "--dns-port", String.valueOf(dnsPort)}, Map.of())
          .await(20, java.util.concurrent.TimeUnit.SECONDS));
      // nothing it bound is left behind: a later start in this JVM (or a test after this one) can have it all
      try (java.net.DatagramSocket udp = new java.net.DatagramSocket(dnsPort, java.net.InetAddress.getByName("127.0.0.1"));
          java.net.ServerSocket tcp = new java.net.ServerSocket(dnsPort, 10, java.net.InetAddress.getByName("127.0.0.1"));
          java.net.ServerSocket pod = new java.net.ServerSocket(50073, 10, java.net.InetAddress.getByName("127.0.0.2"))) {
        assertEquals(dnsPort, udp.getLocalPort());
      }
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertEquals(2, Main.fail(e, new PrintStream(out, true, StandardCharsets.UTF_8)));
      String printed = out.toString(StandardCharsets.UTF_8);
      assertTrue(printed.contains("cannot listen on 127.0.0.3:50073 (--port)"), printed);
      assertTrue(tookMs < 5_000, "failed after " + tookMs + " ms, not at once: " + printed);
    }
  }

  @Test
  void aBareFlagThatNeedsAValueSaysWhatItNeedsWhileSwitchesStayBare() {
    assertTrue(startupError("--mode").contains("--mode needs a value (server, client or local)"));
    assertTrue(startupError("--mode", "local", "--replicas").contains("--replicas needs a value (an integer from 0 to 100)"));
    assertTrue(startupError("--mode", "local", "--replicas", "--report").contains("--replicas needs a value"));
    assertTrue(startupError("--mode", "local", "--report", "--out").contains("--out needs a value (a directory)"));
    assertTrue(startupError("--mode", "local", "--out=").contains("--out needs a value (a directory)"));
    assertTrue(startupError("--mode", "client", "--target").contains("--target needs a value (host:port)"));
    assertTrue(startupError(Map.of("GREETER_DELAY_MS", "900"), "--mode", "server", "--delay-ms")
        .contains("--delay-ms needs a value (an integer from 0 to 3600000)"));
    LocalConfig config = LocalConfig.from(Flags.parse(new String[] {"--report", "--out", "o"}, Map.of()));
    assertTrue(config.report());
    assertEquals("o", config.outDir());
    assertFalse(LocalConfig.from(Flags.parse(new String[] {"--report=false"}, Map.of())).report());
    assertFalse(LocalConfig.from(Flags.parse(new String[0], Map.of())).report());
  }

  /** The real entry point, in a child JVM: help is an answer, not a usage error. */
  @Test
  void helpPrintsTheUsageOnStdoutAndExitsZero() throws Exception {
    for (String[] args : new String[][] {{"--help"}, {"-h"}, {"--mode", "server", "--help"}}) {
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), "lab.grpclb.Main"));
      command.addAll(List.of(args));
      Path stderr = Files.createTempFile("main", ".err");
      try {
        Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "exits");
        assertEquals(0, process.exitValue(), List.of(args) + ": " + Files.readString(stderr));
        assertEquals(Main.USAGE + System.lineSeparator(), stdout, List.of(args).toString());
        assertEquals("", Files.readString(stderr), List.of(args).toString());
      } finally {
        Files.deleteIfExists(stderr);
      }
    }
  }

  /** --work cpu burns on --capacity threads: a pod that may run it needs a finite one, in both modes that run pods. */
  @Test
  void workCpuNeedsACapacity() {
    for (String mode : List.of("server", "local")) {
      String printed = startupError("--mode", mode, "--work", "cpu");
      assertTrue(printed.contains("--work cpu needs --capacity above 0"), printed);
      assertEquals(1, printed.strip().lines().count(), "one line: " + printed);
      printed = startupError("--mode", mode, "--capacity", "2", "--work", "gpu");
      assertTrue(printed.contains("--work must be timer|cpu, got 'gpu'"), printed);
    }
    assertTrue(startupError("--mode", "client", "--work", "cpu").contains("unknown flag --work for --mode client"));
    ServerConfig burning = ServerConfig.from(Flags.parse(new String[] {"--capacity", "2", "--work", "cpu"}, Map.of()));
    assertEquals(Work.CPU, burning.capacity().work());
    assertEquals(Work.TIMER,
        ServerConfig.from(Flags.parse(new String[] {"--capacity", "2"}, Map.of())).capacity().work(), "the default");
  }

  @Test
  void flagsWinOverEnv() {
    Flags flags = Flags.parse(new String[] {"--delay-ms=7", "--pod-ip", "10.0.0.9"},
        Map.of("GREETER_DELAY_MS", "900", "MY_POD_IP", "10.0.0.1"));
    ServerConfig config = ServerConfig.from(flags);
    assertEquals(7, config.delayMs());
    assertEquals("10.0.0.9", config.podIp());
  }

  @Test
  void envFillsWhatFlagsLeaveOut() {
    ServerConfig server = ServerConfig.from(Flags.parse(new String[0], Map.of("GREETER_DELAY_MS", "900", "MY_POD_IP", "10.0.0.1")));
    assertEquals(900, server.delayMs());
    assertEquals("10.0.0.1", server.podIp());
    assertEquals("env MY_POD_IP", server.podIpSource());
    ClientConfig client = ClientConfig.from(Flags.parse(new String[0], Map.of("GREETER_TARGET", "greeter:6000")));
    assertEquals("greeter", client.target().host());
    assertEquals(6000, client.target().port());
    assertTrue(client.maxInFlight() >= ClientConfig.MIN_IN_FLIGHT);
  }

  @Test
  void withoutPodIpTheServerPicksANonLoopbackAddressAndSaysSo() {
    ServerConfig config = ServerConfig.from(Flags.parse(new String[0], Map.of()));
    assertEquals("first non-loopback address of this host", config.podIpSource());
    boolean hasNonLoopback;
    try {
      hasNonLoopback = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
          .anyMatch(nic -> {
            try {
              return nic.isUp() && !nic.isLoopback() && nic.inetAddresses().anyMatch(a -> a instanceof java.net.Inet4Address);
            } catch (java.net.SocketException e) {
              return false;
            }
          });
    } catch (java.net.SocketException e) {
      hasNonLoopback = false;
    }
    assertEquals(!hasNonLoopback, config.podIp().startsWith("127."), "picked " + config.podIp());
  }
}
