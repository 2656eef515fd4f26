package lab.grpclb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Every packet to and from one loopback address dropped for real by iptables, as when a node loses power or its
 * network: no RST, no FIN, nothing. Needs Linux, root and iptables (this machine and CI have them); elsewhere
 * {@link #assumeAvailable} skips the test, saying why. Every rule carries a comment marker, so a run that died with
 * rules in place is cleaned up by the next ({@link #removeStale}).
 */
public final class PacketDrops implements AutoCloseable {
  static final String MARKER = "grpc-lb-lab-test-drop";
  private static final List<Path> IPTABLES = List.of(Path.of("/usr/sbin/iptables"), Path.of("/sbin/iptables"),
      Path.of("/usr/bin/iptables"));
  private final String iptables;
  private final List<List<String>> rules = new ArrayList<>();

  private PacketDrops(String iptables) {
    this.iptables = iptables;
  }

  /** Skips the calling test, saying why, unless this process may change iptables rules; else removes stale rules. */
  public static PacketDrops assumeAvailable() throws Exception {
    Assumptions.assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"),
        "SKIPPED: dropping packets needs Linux iptables; this is " + System.getProperty("os.name"));
    Path binary = IPTABLES.stream().filter(Files::isExecutable).findFirst().orElse(null);
    Assumptions.assumeTrue(binary != null, "SKIPPED: no iptables in " + IPTABLES + " (apt-get install iptables)");
    String uid = String.valueOf(run(List.of("id", "-u"))).trim();
    Assumptions.assumeTrue("0".equals(uid), "SKIPPED: dropping packets needs root (CI runs as root); this runs as uid " + uid);
    PacketDrops drops = new PacketDrops(binary.toString());
    String probe = drops.iptables("-S", "OUTPUT");
    Assumptions.assumeTrue(probe != null, "SKIPPED: iptables -S OUTPUT failed here (no CAP_NET_ADMIN in this container?)");
    drops.removeStale();
    return drops;
  }

  /** Drops every packet to and from {@code ip} from now on, until {@link #close}. */
  public void dropAll(String ip) throws Exception {
    add(List.of("INPUT", "-s", ip));
    add(List.of("OUTPUT", "-d", ip));
  }

  private void add(List<String> match) throws Exception {
    List<String> rule = new ArrayList<>(match);
    rule.addAll(List.of("-m", "comment", "--comment", MARKER, "-j", "DROP"));
    List<String> insert = new ArrayList<>(List.of("-I"));
    insert.addAll(rule);
    if (iptables(insert.toArray(String[]::new)) == null) {
      throw new IllegalStateException("iptables " + String.join(" ", insert) + " failed");
    }
    rules.add(rule);
  }

  /** Removes the rules this added. */
  @Override
  public void close() throws Exception {
    for (List<String> rule : rules) {
      List<String> delete = new ArrayList<>(List.of("-D"));
      delete.addAll(rule);
      iptables(delete.toArray(String[]::new));
    }
    rules.clear();
  }

  /** Deletes every rule with the marker, left by a run that died before its cleanup. */
  void removeStale() throws Exception {
    for (String chain : List.of("INPUT", "OUTPUT")) {
      String listed = iptables("-S", chain);
      for (String line : listed == null ? new String[0] : listed.split("\n")) {
        if (line.startsWith("-A ") && line.contains(MARKER)) {
          List<String> delete = new ArrayList<>(List.of("-D"));
          delete.addAll(List.of(line.substring(3).replace("\"", "").split(" ")));
          iptables(delete.toArray(String[]::new));
        }
      }
    }
  }

  /** Its output, or null when it failed. */
  private String iptables(String... arguments) throws Exception {
    List<String> command = new ArrayList<>(List.of(iptables, "-w", "5"));
    command.addAll(List.of(arguments));
    return run(command);
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return null;
    }
    return process.exitValue() == 0 ? output : null;
  }
}
