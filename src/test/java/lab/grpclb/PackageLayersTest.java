package lab.grpclb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The main code's packages in layers, lowest first: a package imports only from the layers below it, so no import
 * runs upward and a reader can learn the code bottom up. The README's code map lists the same layers.
 */
class PackageLayersTest {
  static final List<String> LAYERS = List.of("config", "transport", "call", "discovery", "balance", "client", "server",
      "http", "experiment", "metrics", "page", "report", "mode", "mode.server", "mode.client", "local", "");
  static final Path MAIN = Path.of("src/main/java/lab/grpclb");
  static final Pattern IMPORT = Pattern.compile("^import lab\\.grpclb\\.([a-z.]+?)\\.[A-Z]", Pattern.MULTILINE);

  @Test
  void everyImportRunsDownward() throws IOException {
    List<String> upward = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String from = MAIN.relativize(file.getParent()).toString().replace('/', '.');
        Matcher imported = IMPORT.matcher(Files.readString(file));
        while (imported.find()) {
          String to = imported.group(1);
          if (!LAYERS.contains(from) || !LAYERS.contains(to) || LAYERS.indexOf(to) > LAYERS.indexOf(from)) {
            upward.add(MAIN.relativize(file) + " imports " + to);
          }
        }
      }
    }
    assertEquals(List.of(), upward, "layers, lowest first: " + LAYERS);
  }
}
