package lab.grpclb.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The jar users run, and the image, carry no benchmark: the benchmark and the soak live in src/bench/java, which
 * builds with the tests (build-helper's add-test-source) and beside the jar for bench/run.sh and bench/soak.sh.
 */
class JarContentsTest {
  static final Path MAIN = Path.of("src/main/java");

  @Test
  void noMainSourceIsOrUsesTheBenchmark() throws IOException {
    assertFalse(Files.exists(MAIN.resolve("lab/grpclb/bench")), "the benchmark moved to src/bench/java");
    assertTrue(Files.isDirectory(Path.of("src/bench/java/lab/grpclb/bench")));
    try (Stream<Path> sources = Files.walk(MAIN)) {
      List<Path> using = sources.filter(p -> p.toString().endsWith(".java")).filter(p -> {
        try {
          return Files.readString(p).contains("import lab.grpclb.bench.");
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }).toList();
      assertEquals(List.of(), using, "main code may not use the benchmark, or the jar would need it");
    }
  }

  @Test
  void theBenchScriptsBuildTheBenchmarkBesideTheJar() throws IOException {
    assertTrue(Files.readString(Path.of("pom.xml")).contains("<source>src/bench/java</source>"),
        "the tests compile the benchmark");
    String jar = Files.readString(Path.of("bench/jar.sh"));
    assertTrue(jar.contains("find src/bench/java") && jar.contains("bench_classpath="), jar);
    for (String script : List.of("bench/run.sh", "bench/soak.sh")) {
      assertTrue(Files.readString(Path.of(script)).contains("-cp \"$bench_classpath\""), script);
    }
  }
}
