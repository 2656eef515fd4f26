package lab.grpclb.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One JVM this benchmark started: stdout and stderr go to a log file (never a pipe, which would block the
 * child once full), readiness is a marker line in that file, and {@link ProcReadings} tells its CPU time and
 * peak RSS.
 */
final class ChildJvm {
  /** Every child not yet stopped, for the shutdown hook: the benchmark never leaves a JVM behind. */
  private static final List<ChildJvm> LIVE = Collections.synchronizedList(new ArrayList<>());
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  final String name;
  final Path log;
  private final Process process;
  private Duration lastCpu = Duration.ZERO;
  private long lastHwmKb = -1;

  private ChildJvm(String name, Path log, Process process) {
    this.name = name;
    this.log = log;
    this.process = process;
  }

  static ChildJvm start(String name, List<String> command, Path log) throws IOException {
    Files.writeString(log, "# " + String.join(" ", command) + "\n", StandardCharsets.UTF_8);
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    ChildJvm child = new ChildJvm(name, log, builder.start());
    LIVE.add(child);
    return child;
  }

  long pid() {
    return process.pid();
  }

  /** Waits for the marker in the log; fails with the log's tail if the JVM exits or the time runs out. */
  void awaitLog(String marker, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (read().contains(marker)) {
        return;
      }
      if (!process.isAlive()) {
        throw new IOException(name + " exited with code " + process.exitValue() + " before logging '" + marker
            + "'; last lines of " + log + ":\n" + tail(15));
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(name + " did not log '" + marker + "' within " + timeout.toSeconds() + " s; last lines of "
            + log + ":\n" + tail(15));
      }
      Thread.sleep(50);
    }
  }

  /** CPU time of the whole process so far; the last reading once the process is gone. */
  synchronized Duration cpu() {
    ProcReadings.cpu(process.toHandle()).ifPresent(cpu -> lastCpu = cpu);
    return lastCpu;
  }

  /** Peak resident set size since the process started (VmHWM), in KiB; the last reading once it is gone. */
  synchronized long vmHwmKb() {
    long now = ProcReadings.statusKb(String.valueOf(pid()), "VmHWM");
    if (now >= 0) {
      lastHwmKb = now;
    }
    return lastHwmKb;
  }

  String read() {
    try {
      return new String(Files.readAllBytes(log), StandardCharsets.UTF_8); // malformed bytes become U+FFFD
    } catch (IOException e) {
      return "";
    }
  }

  String tail(int lines) {
    List<String> all = read().lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  int count(String needle) {
    String text = read();
    int count = 0;
    for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length())) {
      count++;
    }
    return count;
  }

  /** Takes the last /proc readings and sends SIGTERM, without waiting. */
  void terminate() {
    cpu();
    vmHwmKb();
    process.destroy();
  }

  /** SIGTERM (the JVMs drain and exit 0), then SIGKILL after the grace period; returns the exit code. */
  int stop() {
    if (process.isAlive()) {
      terminate();
    }
    try {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
          System.err.println("[bench] " + name + " (pid " + pid() + ") still running " + STOP_GRACE.toSeconds()
              + " s after SIGTERM: killing it");
          process.destroyForcibly();
          process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      LIVE.remove(this);
    }
    return process.isAlive() ? -1 : process.exitValue();
  }

  /** Stops every child still running (SIGTERM to all first, so they drain in parallel). */
  static void stopAll() {
    List<ChildJvm> children;
    synchronized (LIVE) {
      children = new ArrayList<>(LIVE);
    }
    if (!children.isEmpty()) {
      System.err.println("[bench] stopping " + children.size() + " JVM(s): " + children.stream().map(c -> c.name + " (pid " + c.pid() + ")").toList());
    }
    for (ChildJvm child : children) {
      child.terminate();
    }
    for (ChildJvm child : children) {
      child.stop();
    }
  }
}
