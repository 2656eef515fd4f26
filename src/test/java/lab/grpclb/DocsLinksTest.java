package lab.grpclb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The docs a newcomer reads: every Markdown link and image resolves (a relative file exists, an anchor names one of
 * its headings as GitHub slugs them; an http(s) link is well formed, never fetched), the README stays short, and its
 * first code block is the two set-up commands.
 */
class DocsLinksTest {
  static final Path README = Path.of("README.md");
  static final int README_MAX_BYTES = 12 * 1024;
  /** The README's set-up commands, in order: build and run local mode; run the tests. */
  static final List<String> SETUP = List.of(
      "mvn -B -q package -DskipTests && java -jar target/grpc-lb-lab.jar --mode local", "mvn -B test");
  static final Pattern LINK = Pattern.compile("!?\\[([^\\]]*)\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
  static final Pattern CODE_SPAN = Pattern.compile("`[^`]*`");
  static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
  static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

  @Test
  void everyLinkResolves() throws IOException {
    List<String> broken = new ArrayList<>();
    for (Path doc : docs()) {
      String text = withoutCode(Files.readString(doc));
      Matcher link = LINK.matcher(text);
      while (link.find()) {
        String problem = problem(doc, link.group(2));
        if (problem != null) {
          int line = (int) text.substring(0, link.start()).chars().filter(c -> c == '\n').count() + 1;
          broken.add(doc + ":" + line + ": " + link.group(2) + ": " + problem);
        }
      }
    }
    assertEquals(List.of(), broken, "broken links");
  }

  @Test
  void theReadmeIsShortAndOpensWithTheTwoSetUpCommands() throws IOException {
    long size = Files.size(README);
    assertTrue(size <= README_MAX_BYTES, "README.md is " + size + " bytes; at most " + README_MAX_BYTES
        + ": move the detail to docs/");
    List<String> block = Files.readString(README).lines().dropWhile(l -> !l.startsWith("```")).skip(1)
        .takeWhile(l -> !l.startsWith("```")).map(l -> l.replaceFirst("\\s+#.*$", "")).toList();
    assertEquals(SETUP, block, "README.md's first code block: the set-up commands, nothing else");
  }

  /** README, SECURITY, TESTING, docs/*.md and every Markdown file under bench/. */
  static List<Path> docs() throws IOException {
    List<Path> docs = new ArrayList<>(List.of(README, Path.of("SECURITY.md"), Path.of("TESTING.md")));
    for (Path dir : List.of(Path.of("docs"), Path.of("bench"))) {
      try (Stream<Path> files = Files.walk(dir, dir.equals(Path.of("docs")) ? 1 : Integer.MAX_VALUE)) {
        files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(docs::add);
      }
    }
    return docs;
  }

  /** What is wrong with one link target in {@code doc}, or null. */
  static String problem(Path doc, String target) throws IOException {
    if (SCHEME.matcher(target).find()) {
      return wellFormedWebAddress(target) ? null : "not a well-formed http(s) address";
    }
    int hash = target.indexOf('#');
    String file = hash < 0 ? target : target.substring(0, hash);
    Path resolved = file.isEmpty() ? doc : doc.resolveSibling(file).normalize();
    if (!Files.exists(resolved)) {
      return "no such file " + resolved;
    }
    if (hash < 0) {
      return null;
    }
    if (!resolved.toString().endsWith(".md")) {
      return "an anchor into " + resolved + ", which has no headings";
    }
    String anchor = target.substring(hash + 1);
    return anchors(resolved).contains(anchor) ? null : "no heading in " + resolved + " whose slug is '" + anchor + "'";
  }

  static boolean wellFormedWebAddress(String target) {
    try {
      URI uri = new URI(target);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /** The anchors GitHub gives a file's headings; a repeated slug gets -1, -2, ... as on GitHub. */
  static Set<String> anchors(Path file) throws IOException {
    Set<String> anchors = new HashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean fenced = false;
    for (String line : Files.readAllLines(file)) {
      if (line.startsWith("```")) {
        fenced = !fenced;
      }
      Matcher heading = HEADING.matcher(line);
      if (!fenced && heading.matches()) {
        String slug = slug(heading.group(1));
        int n = seen.merge(slug, 1, Integer::sum) - 1;
        anchors.add(n == 0 ? slug : slug + "-" + n);
      }
    }
    return anchors;
  }

  /** GitHub's slug: lowercase, punctuation dropped but for - and _, each space a -. */
  static String slug(String heading) {
    return heading.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}\\p{M}_\\- ]", "").replace(' ', '-');
  }

  /**
   * The text with fenced blocks and code spans blanked, so that a link shown as code is not checked; line breaks
   * stay, so offsets still give line numbers.
   */
  static String withoutCode(String markdown) {
    StringBuilder out = new StringBuilder();
    boolean fenced = false;
    for (String line : markdown.split("\n", -1)) {
      boolean fence = line.startsWith("```");
      out.append(fenced || fence ? "" : line).append('\n');
      fenced ^= fence;
    }
    return CODE_SPAN.matcher(out).replaceAll(span -> span.group().replaceAll("[^\n]", " "));
  }
}
