package lab.grpclb.config;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code --help} prints, from {@link FlagTable}: the flags grouped by mode, each with its value's form, its
 * default, its env variable and its meaning, so that the help and the code cannot disagree on a default.
 */
public final class UsageText {
  private static final int WIDTH = 110;
  private static final String INDENT = "      ";

  private UsageText() {
  }

  public static String render() {
    List<String> lines = new ArrayList<>();
    lines.add("usage: java -jar grpc-lb-lab.jar --mode " + FlagTable.MODE.placeholder() + " [flags]");
    wrap(plain(FlagTable.RULES), "  ", lines);
    for (FlagGroup group : FlagTable.groups()) {
      lines.add("");
      lines.add(plain(group.heading()));
      group.flags().forEach(flag -> describe(flag, lines));
      if (!group.alsoClients().isEmpty()) {
        wrap("and the client's " + String.join(", ", group.alsoClients().stream().map(f -> "--" + f.name()).toList())
            + " (above)", "  ", lines);
      }
    }
    return String.join("\n", lines);
  }

  private static void describe(Flag flag, List<String> lines) {
    String env = flag.env() == null ? "" : "; env " + flag.env();
    lines.add("  " + flag.usage() + "  (default " + plain(flag.shownDefault()) + env + ")");
    wrap(plain(flag.meaning()), INDENT, lines);
  }

  /** The table's texts quote names in backticks for Markdown; a terminal shows them bare. */
  private static String plain(String text) {
    return text.replace("`", "");
  }

  /** Words on lines of at most {@link #WIDTH} characters, each starting with the indent. */
  private static void wrap(String text, String indent, List<String> lines) {
    StringBuilder line = new StringBuilder(indent);
    for (String word : text.split(" ")) {
      if (line.length() > indent.length() && line.length() + 1 + word.length() > WIDTH) {
        lines.add(line.toString());
        line = new StringBuilder(indent);
      }
      line.append(line.length() > indent.length() ? " " : "").append(word);
    }
    lines.add(line.toString());
  }
}
