package lab.grpclb.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/** Just enough of a Dockerfile parser: stages, instructions, continuation lines, comments. */
final class Dockerfile {
  final List<Stage> stages = new ArrayList<>();

  static Dockerfile parse(Path file) throws IOException {
    Dockerfile docker = new Dockerfile();
    StringBuilder line = new StringBuilder();
    for (String raw : Files.readAllLines(file)) {
      String trimmed = raw.trim();
      if (line.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
        continue;
      }
      if (trimmed.startsWith("#")) {
        continue; // comment inside a continued instruction
      }
      if (trimmed.endsWith("\\")) {
        line.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      line.append(trimmed);
      docker.add(line.toString());
      line.setLength(0);
    }
    assertTrue(line.isEmpty(), "Dockerfile ends inside a continued line");
    assertFalse(docker.stages.isEmpty(), "Dockerfile has no FROM");
    return docker;
  }

  private void add(String line) {
    String[] parts = line.split("\\s+", 2);
    Instruction instruction = new Instruction(parts[0].toUpperCase(), parts.length > 1 ? parts[1] : "");
    if (instruction.is("FROM")) {
      List<String> words = instruction.words().stream().filter(w -> !w.startsWith("--")).toList();
      String name = words.size() == 3 && words.get(1).equalsIgnoreCase("AS") ? words.get(2) : null;
      stages.add(new Stage(words.get(0), name, new ArrayList<>()));
    } else {
      assertFalse(stages.isEmpty(), "Dockerfile instruction before FROM: " + line);
      stages.get(stages.size() - 1).instructions.add(instruction);
    }
  }

  List<Instruction> all() {
    return stages.stream().flatMap(s -> s.instructions.stream()).toList();
  }

  Stage runtime() {
    return stages.get(stages.size() - 1);
  }

  List<String> entrypoint() {
    Stage runtime = runtime();
    int at = runtime.lastIndexOf(i -> i.is("ENTRYPOINT"));
    assertTrue(at >= 0, "the runtime stage has no ENTRYPOINT");
    String args = runtime.instructions.get(at).args.trim();
    assertTrue(args.startsWith("["), "ENTRYPOINT must be exec form (JSON array): shell form makes sh PID 1 and swallows SIGTERM");
    try {
      List<String> list = new ArrayList<>();
      new ObjectMapper().readTree(args).forEach(n -> list.add(n.asText()));
      return list;
    } catch (IOException e) {
      throw new AssertionError("ENTRYPOINT is not a JSON array: " + args, e);
    }
  }

  Set<Integer> exposed() {
    Set<Integer> ports = new TreeSet<>();
    for (Instruction i : runtime().instructions) {
      if (i.is("EXPOSE")) {
        i.words().forEach(w -> ports.add(Integer.parseInt(w.replace("/tcp", ""))));
      }
    }
    return ports;
  }

  /** The runtime stage's USER as {uid, gid}; both must be numeric. */
  long[] runtimeUser() {
    Stage runtime = runtime();
    int at = runtime.lastIndexOf(i -> i.is("USER"));
    assertTrue(at >= 0, "the runtime stage sets no USER: it would run as root");
    String user = runtime.instructions.get(at).args.trim();
    assertTrue(user.matches("\\d+:\\d+"), "USER must be numeric uid:gid so runAsNonRoot can verify it, got " + user);
    String[] ids = user.split(":");
    return new long[] {Long.parseLong(ids[0]), Long.parseLong(ids[1])};
  }

  /** Where the JVM is told to write: java.io.tmpdir and the Vert.x cache (default /tmp). */
  List<String> writtenPaths() {
    List<String> paths = new ArrayList<>(List.of("/tmp"));
    for (String arg : entrypoint()) {
      if (arg.startsWith("-Djava.io.tmpdir=")) {
        paths.add(arg.substring("-Djava.io.tmpdir=".length()));
      }
      if (arg.startsWith("-Dvertx.cacheDirBase=")) {
        paths.add(arg.substring("-Dvertx.cacheDirBase=".length()));
      }
    }
    assertTrue(entrypoint().stream().anyMatch(a -> a.startsWith("-Dvertx.cacheDirBase=/")),
        "ENTRYPOINT must set -Dvertx.cacheDirBase to an absolute writable path (the root filesystem is read-only)");
    return paths;
  }

  record Instruction(String keyword, String args) {
    boolean is(String k) {
      return keyword.equals(k);
    }

    List<String> words() {
      return List.of(args.trim().split("\\s+"));
    }

    /** COPY/ADD sources: the words between the --flags and the destination. */
    List<String> sources() {
      List<String> words = new ArrayList<>(words().stream().filter(w -> !w.startsWith("--")).toList());
      return words.subList(0, Math.max(0, words.size() - 1));
    }

    String destination() {
      List<String> words = words();
      return words.get(words.size() - 1);
    }
  }

  record Stage(String image, String name, List<Instruction> instructions) {
    int indexOf(Predicate<Instruction> p) {
      for (int i = 0; i < instructions.size(); i++) {
        if (p.test(instructions.get(i))) {
          return i;
        }
      }
      return -1;
    }

    int lastIndexOf(Predicate<Instruction> p) {
      for (int i = instructions.size() - 1; i >= 0; i--) {
        if (p.test(instructions.get(i))) {
          return i;
        }
      }
      return -1;
    }

    /** An absolute path for a path given in an instruction, against the WORKDIR in force before it. */
    String resolve(Instruction at, String path) {
      String workdir = "/";
      for (Instruction i : instructions) {
        if (i == at) {
          break;
        }
        if (i.is("WORKDIR")) {
          workdir = i.args.trim().startsWith("/") ? i.args.trim() : workdir + "/" + i.args.trim();
        }
      }
      String full = path.startsWith("/") ? path : workdir + "/" + path;
      return Path.of(full).normalize().toString().replace('\\', '/');
    }
  }

  /** Docker's .dockerignore rule: the last pattern matching the path or one of its parent directories wins. */
  static boolean ignores(List<String> rules, String file) {
    boolean ignored = false;
    for (String raw : rules) {
      String rule = raw.trim();
      if (rule.isEmpty() || rule.startsWith("#")) {
        continue;
      }
      boolean exception = rule.startsWith("!");
      String pattern = (exception ? rule.substring(1) : rule).replaceAll("^/+", "").replaceAll("/+$", "");
      var matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
      String prefix = "";
      for (String part : file.split("/")) {
        prefix = prefix.isEmpty() ? part : prefix + "/" + part;
        if (matcher.matches(Path.of(prefix))) {
          ignored = !exception;
          break;
        }
      }
    }
    return ignored;
  }
}
