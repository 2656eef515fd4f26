package lab.grpclb.config;

import java.util.Arrays;
import java.util.Optional;

/** What one process runs ({@code --mode}): the flags it reads depend on it, and --help is grouped by it. */
public enum Mode {
  SERVER("server", "the greeter"),
  CLIENT("client", "the experiment client"),
  LOCAL("local", "the cluster on one machine");

  private final String wireName;
  private final String title;

  Mode(String wireName, String title) {
    this.wireName = wireName;
    this.title = title;
  }

  public String wireName() {
    return wireName;
  }

  /** What the mode is, in a few words: "the greeter". */
  public String title() {
    return title;
  }

  public static Optional<Mode> parse(String wireName) {
    return Arrays.stream(values()).filter(m -> m.wireName.equals(wireName)).findFirst();
  }
}
