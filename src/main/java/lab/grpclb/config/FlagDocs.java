package lab.grpclb.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * docs/flags.md, from {@link FlagTable}: a table of flags per mode. The file is committed so that it reads on
 * GitHub; {@code FlagDocsTest} fails when it differs from what {@link #render} gives, and {@link #main} rewrites it.
 */
public final class FlagDocs {
  /** Where the file lives, from the repository's root. */
  public static final Path PATH = Path.of("docs", "flags.md");
  static final String REGENERATE = "mvn -B -q package -DskipTests && java -cp target/grpc-lb-lab.jar "
      + FlagDocs.class.getName();

  private FlagDocs() {
  }

  /** Writes docs/flags.md (or the path given) from the table. */
  public static void main(String[] args) throws IOException {
    Path path = args.length > 0 ? Path.of(args[0]) : PATH;
    Files.writeString(path, render());
    System.out.println("wrote " + path);
  }

  public static String render() {
    StringBuilder md = new StringBuilder("# Flags\n\n")
        .append("<!-- Generated from src/main/java/lab/grpclb/config/FlagTable.java: edit the table, then run `")
        .append(REGENERATE).append("` (FlagDocsTest fails until this file matches). -->\n\n")
        .append("`java -jar target/grpc-lb-lab.jar --mode ").append(FlagTable.MODE.placeholder())
        .append(" [flags]`. ").append(FlagTable.RULES)
        .append(" `--help` shows the same table as text.\n");
    for (FlagGroup group : FlagTable.groups()) {
      md.append("\n## ").append(group.heading()).append("\n\n| flag | env | default | meaning |\n|---|---|---|---|\n");
      group.flags().forEach(flag -> md.append(row(flag)));
      if (!group.alsoClients().isEmpty()) {
        md.append("\nAlso the client's ").append(group.alsoClients().stream().map(f -> "`--" + f.name() + "`")
            .collect(Collectors.joining(", "))).append(", as in `--mode client`.\n");
      }
    }
    return md.append(SEE_ALSO).toString();
  }

  private static final String SEE_ALSO = """

      ## What the flags change

      The docs explain the behaviour behind them: \
      [SIGTERM and draining](modes.md#--mode-server-the-greeter), \
      [max connection age](alternatives.md#max-connection-age-grfc-a9), \
      [pickers and outlier ejection](balancing.md#pickers-and-outlier-ejection), \
      [health checking](balancing.md#health-checking-grfc-a17), \
      [retries](balancing.md#retries-what-an-engineer-can-copy), \
      [ClientWithDnsResolver](alternatives.md#clientwithdnsresolver-a-headless-service-and-dns), \
      [logs](modes.md#logs), [the benchmark's JVM flags](performance.md#the-benchmark) and \
      [what each mode exposes](../SECURITY.md#what-each-mode-exposes).
      """;

  private static String row(Flag flag) {
    String env = flag.env() == null ? "" : "`" + flag.env() + "`";
    return "| " + String.join(" | ", List.of("`" + escape(flag.usage()) + "`", env,
        escape(flag.shownDefault()), escape(flag.meaning()))) + " |\n";
  }

  /** A pipe ends a table cell unless escaped, in a code span too. */
  private static String escape(String text) {
    return text.replace("|", "\\|");
  }
}
