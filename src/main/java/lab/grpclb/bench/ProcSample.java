package lab.grpclb.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** This process's resident memory and open file descriptors at one moment (Linux /proc). */
record ProcSample(String when, long atMs, long rssKb, long fds) {

  /** Reads /proc/self: a few small reads, for a thread that may block (never an event loop). */
  static ProcSample now(String when, long atMs) {
    return new ProcSample(when, atMs, readRssKb(), readOpenFds());
  }

  /**
   * A sample once the descriptors stop falling (polled every 200 ms, for at most 3 s): a `Client` burst opens a
   * connection per call, and its last thousands are still closing just after it answers.
   */
  static ProcSample settled(String when, long atMs) throws InterruptedException {
    long before = readOpenFds();
    for (int i = 0; i < 15; i++) {
      Thread.sleep(200);
      long now = readOpenFds();
      if (now >= before) {
        break;
      }
      before = now;
    }
    return now(when, atMs);
  }

  private static long readRssKb() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
      return lines.filter(l -> l.startsWith("VmRSS:"))
          .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
          .findFirst().orElse(-1L);
    } catch (IOException e) {
      return -1;
    }
  }

  private static long readOpenFds() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    } catch (IOException | UncheckedIOException e) {
      return -1;
    }
  }
}
