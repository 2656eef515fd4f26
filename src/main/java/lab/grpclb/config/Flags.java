package lab.grpclb.config;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Command-line flags ({@code --name value} or {@code --name=value}) with environment fallbacks.
 * Flags win over env. How a flag is read is its type: {@link #bool} reads a switch, which may stand bare;
 * {@link #string} and {@link #integer} need a value and name the expected form when it is missing.
 * Every read is remembered so that {@link #rejectUnknown} can name flags nobody asked for.
 */
public final class Flags {
  /** The value given; null for a bare flag (a switch, or a value missing). */
  private final Map<String, String> flags;
  private final Map<String, String> env;
  private final Set<String> known = new LinkedHashSet<>();

  private Flags(Map<String, String> flags, Map<String, String> env) {
    this.flags = flags;
    this.env = env;
  }

  public static Flags parse(String[] args, Map<String, String> env) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new ConfigException("unexpected argument '" + arg + "': flags look like --name value");
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        value = args[++i];
      } else {
        value = null; // bare: right for a switch such as --report, a missing value for any other flag
      }
      if (flags.containsKey(name)) {
        throw new ConfigException("flag --" + name + " is given twice");
      }
      flags.put(name, value);
    }
    return new Flags(flags, env);
  }

  /**
   * The flag's value, else the env var's (when envVar is not null; a blank one counts as unset), else the
   * fallback. A flag given bare or blank fails, naming what is expected (such as "a directory").
   */
  public String string(String name, String envVar, String fallback, String expected) {
    known.add(name);
    if (flags.containsKey(name)) {
      String value = flags.get(name);
      if (value == null || value.isBlank()) {
        throw new ConfigException("--" + name + " needs a value (" + expected + ")");
      }
      return value.trim();
    }
    String value = envVar == null ? null : env.get(envVar);
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  public String string(String name, String fallback, String expected) {
    return string(name, null, fallback, expected);
  }

  /** One of an enum's constants, spelled in lower case ({@code --transport nio}); another value names them all. */
  public <E extends Enum<E>> E choice(String name, E fallback) {
    E[] constants = fallback.getDeclaringClass().getEnumConstants();
    String valid = String.join("|", Arrays.stream(constants).map(c -> c.name().toLowerCase(Locale.ROOT)).toList());
    String raw = string(name, fallback.name().toLowerCase(Locale.ROOT), valid);
    return Arrays.stream(constants).filter(c -> c.name().toLowerCase(Locale.ROOT).equals(raw)).findFirst()
        .orElseThrow(() -> new ConfigException("--" + name + " must be " + valid + ", got '" + raw + "'"));
  }

  public boolean isSet(String name) {
    known.add(name);
    return flags.containsKey(name);
  }

  /** The flag's value as given: null when absent or bare. */
  public String optional(String name) {
    known.add(name);
    String value = flags.get(name);
    return value == null ? null : value.trim();
  }

  /** A switch: absent is false, bare is true, and it also takes --name=true|false. */
  public boolean bool(String name) {
    known.add(name);
    if (!flags.containsKey(name)) {
      return false;
    }
    String value = flags.get(name);
    if (value == null) {
      return true;
    }
    if (!value.equals("true") && !value.equals("false")) {
      throw new ConfigException("--" + name + " is a switch: give it alone or as --" + name + "=true|false, not '" + value + "'");
    }
    return Boolean.parseBoolean(value);
  }

  /** An integer in [min, max]; the error names the flag, its env var and the range. */
  public int integer(String name, String envVar, int fallback, int min, int max) {
    String raw = string(name, envVar, null, "an integer from " + min + " to " + max);
    if (raw == null) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(raw.replace("_", ""));
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new ConfigException(source(name, envVar) + " must be an integer from " + min + " to " + max + ", got '" + raw + "'");
  }

  public int integer(String name, int fallback, int min, int max) {
    return integer(name, null, fallback, min, max);
  }

  public String env(String name) {
    return env.get(name);
  }

  /** Fails on any flag that no config read, listing the ones this mode knows. */
  public void rejectUnknown(String mode) {
    for (String name : flags.keySet()) {
      if (!known.contains(name)) {
        throw new ConfigException("unknown flag --" + name + " for --mode " + mode + "; valid flags: --" + String.join(", --", known));
      }
    }
  }

  private String source(String name, String envVar) {
    if (flags.containsKey(name) || envVar == null) {
      return "--" + name;
    }
    return "env " + envVar + " (or --" + name + ")";
  }
}
