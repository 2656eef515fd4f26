package lab.grpclb;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading a child JVM's log file from the JUnit thread. */
public final class ChildLog {
  private ChildLog() {
  }

  /** Waits up to 20 s for the pattern in the log and returns its first group as a port. */
  public static int awaitPort(Path log, Pattern listening) throws Exception {
    return Integer.parseInt(await(log, listening).group(1));
  }

  /** Waits up to 20 s for the pattern in the log; its match. */
  public static Matcher await(Path log, Pattern pattern) throws Exception {
    for (int i = 0; i < 200; i++) {
      Matcher m = pattern.matcher(Files.readString(log));
      if (m.find()) {
        return m;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the process never logged " + pattern + ": " + Files.readString(log));
  }
}
