package lab.grpclb.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What Linux and the JVM say about a process at one moment: its CPU time (ProcessHandle, which reads
 * /proc/PID/stat: utime + stime of every thread), and from /proc its peak and current resident memory and its
 * open descriptors; also the machine's load and what it is. Each reading is a few small file reads, for a thread
 * that may block (never an event loop); a reading that fails answers a negative number or "?".
 */
final class ProcReadings {
  private ProcReadings() {
  }

  /** CPU time used so far, or empty once the process is gone. */
  static Optional<Duration> cpu(ProcessHandle process) {
    return process.info().totalCpuDuration();
  }

  static Duration ownCpu() {
    return cpu(ProcessHandle.current()).orElse(Duration.ZERO);
  }

  /** A "kB" field of /proc/PID/status (VmHWM: peak RSS, VmRSS: RSS now), in KiB; -1 if unreadable. */
  static long statusKb(String pid, String field) {
    try (Stream<String> lines = Files.lines(Path.of("/proc", pid, "status"))) {
      return lines.filter(l -> l.startsWith(field + ":"))
          .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
          .findFirst().orElse(-1L);
    } catch (IOException | UncheckedIOException | NumberFormatException e) {
      return -1;
    }
  }

  static long ownStatusKb(String field) {
    return statusKb("self", field);
  }

  static long ownOpenFds() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    } catch (IOException | UncheckedIOException e) {
      return -1;
    }
  }

  /** The 1, 5 and 15 minute load averages: other work on the machine skews every number. */
  static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  /** Cores, CPU model, memory, OS and Java, for a report's header. */
  static String machine() {
    return Runtime.getRuntime().availableProcessors() + " cores (" + firstValue("/proc/cpuinfo", "model name") + "), "
        + memory() + " RAM, " + System.getProperty("os.name") + " " + System.getProperty("os.version") + "; Java "
        + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vm.name") + ")";
  }

  private static String memory() {
    String total = firstValue("/proc/meminfo", "MemTotal");
    try {
      return String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(total.replace("kB", "").trim()) / 1024.0 / 1024.0);
    } catch (NumberFormatException e) {
      return "?";
    }
  }

  private static String firstValue(String file, String key) {
    try (Stream<String> lines = Files.lines(Path.of(file))) {
      return lines.filter(l -> l.startsWith(key)).map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("?");
    } catch (IOException | UncheckedIOException e) {
      return "?";
    }
  }
}
