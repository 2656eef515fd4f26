package lab.grpclb.bench;

import java.util.List;

/**
 * How the benchmark's JVMs are started: with the JVM's defaults (no GC flag, as a user's {@code java -jar} runs)
 * or with the flags the image's Dockerfile runs ({@link Benchmark#GC_FLAGS}, or {@code --jvm-args}). The heaps
 * stay either way. {@code --jvm both} runs everything once per flavour, each in a section of its own.
 */
enum JvmFlavour {
  DEFAULTS("defaults", "the JVM's defaults"),
  IMAGE("image", "the image's JVM flags");

  final String wireName;
  final String title;

  JvmFlavour(String wireName, String title) {
    this.wireName = wireName;
    this.title = title;
  }

  /** {@code --jvm}'s value: one flavour, or both (the defaults first, as a user meets them first). */
  static List<JvmFlavour> parse(String raw) {
    return switch (raw.trim()) {
      case "both" -> List.of(DEFAULTS, IMAGE);
      case "defaults" -> List.of(DEFAULTS);
      case "image" -> List.of(IMAGE);
      default -> throw new BenchOptions.Usage("--jvm must be both, defaults or image, got '" + raw + "'");
    };
  }
}
