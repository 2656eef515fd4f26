package lab.grpclb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** No two types share a name, nested ones included, in main, bench and test code: a name says which type it is. */
class TypeNamesTest {
  static final Pattern DECLARATION = Pattern.compile(
      "^\\s*(?:(?:public|private|protected|static|final|abstract|sealed|non-sealed)\\s+)*"
          + "(?:class|record|interface|enum)\\s+([A-Z]\\w*)", Pattern.MULTILINE);

  @Test
  void everyTypeNameIsDeclaredOnce() throws IOException {
    Map<String, List<String>> where = new TreeMap<>();
    for (String root : List.of("src/main/java", "src/bench/java", "src/test/java")) {
      try (Stream<Path> files = Files.walk(Path.of(root))) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
          Matcher declared = DECLARATION.matcher(Files.readString(file));
          while (declared.find()) {
            where.computeIfAbsent(declared.group(1), name -> new ArrayList<>()).add(file.toString());
          }
        }
      }
    }
    where.values().removeIf(files -> files.size() == 1);
    assertEquals(Map.of(), where, "type names declared more than once");
  }
}
