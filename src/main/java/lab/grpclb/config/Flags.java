package lab.grpclb.config;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Command-line flags ({@code --name value} or {@code --name=value}) with environment fallbacks, read as
 * {@link FlagTable} describes them. Flags win over env. How a flag is read is its type: {@link #bool} reads a
 * switch, which may stand bare; {@link #text} and {@link #integer} need a value and name the expected form when it
 * is missing. Every read is remembered so that {@link #rejectUnknown} can name flags nobody asked for.
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

  /** No flags and no env: every read gives the table's default. */
  public static Flags none() {
    return parse(new String[0], Map.of());
  }

  /** The flag's value, else its env variable's (a blank one counts as unset), else its default (may be null). */
  public String text(Flag.Text flag) {
    return text(flag, flag.defaultValue());
  }

  /** The same for a flag whose default the code works out: {@code workedOut} when neither flag nor env gives one. */
  public String text(Flag.Text flag, String workedOut) {
    String raw = given(flag, flag.expected());
    return raw == null ? workedOut : raw;
  }

  /** One of an enum's constants, spelled in lower case ({@code --transport nio}); another value names them all. */
  public <E extends Enum<E>> E choice(Flag.Text flag, Class<E> type) {
    E[] constants = type.getEnumConstants();
    String valid = String.join("|", Arrays.stream(constants).map(c -> c.name().toLowerCase(Locale.ROOT)).toList());
    String raw = text(flag);
    return Arrays.stream(constants).filter(c -> c.name().toLowerCase(Locale.ROOT).equals(raw)).findFirst()
        .orElseThrow(() -> new ConfigException("--" + flag.name() + " must be " + valid + ", got '" + raw + "'"));
  }

  public boolean isSet(Flag flag) {
    known.add(flag.name());
    return flags.containsKey(flag.name());
  }

  /** The flag's value as given: null when absent or bare. */
  public String optional(Flag flag) {
    known.add(flag.name());
    String value = flags.get(flag.name());
    return value == null ? null : value.trim();
  }

  /** A switch: absent is false, bare is true, and it also takes --name=true|false. */
  public boolean bool(Flag.Switch flag) {
    String name = flag.name();
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

  /** An integer in [min, max] with the table's default; the error names the flag, its env var and the range. */
  public int integer(Flag.Int flag) {
    if (flag.defaultValue() == null) {
      throw new IllegalStateException("--" + flag.name() + " has no default in the table: pass the worked-out one");
    }
    return integer(flag, flag.defaultValue());
  }

  /** The same for a flag whose default the code works out. */
  public int integer(Flag.Int flag, int workedOut) {
    String expected = "an integer from " + flag.min() + " to " + flag.max();
    String raw = given(flag, expected);
    if (raw == null) {
      return workedOut;
    }
    try {
      int value = Integer.parseInt(raw.replace("_", ""));
      if (value >= flag.min() && value <= flag.max()) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new ConfigException(source(flag) + " must be " + expected + ", got '" + raw + "'");
  }

  /** An env variable no flag stands for (KUBERNETES_SERVICE_HOST), or null. */
  public String env(String name) {
    return env.get(name);
  }

  /** Fails on any flag that no config read, listing the ones this mode knows. */
  public void rejectUnknown(Mode mode) {
    for (String name : flags.keySet()) {
      if (!known.contains(name)) {
        throw new ConfigException("unknown flag --" + name + " for --mode " + mode.wireName() + "; valid flags: --"
            + String.join(", --", known));
      }
    }
  }

  /** What the flag, else its env variable, says; null when neither says anything. A bare or blank flag fails. */
  private String given(Flag flag, String expected) {
    known.add(flag.name());
    if (flags.containsKey(flag.name())) {
      String value = flags.get(flag.name());
      if (value == null || value.isBlank()) {
        throw new ConfigException("--" + flag.name() + " needs a value (" + expected + ")");
      }
      return value.trim();
    }
    String value = flag.env() == null ? null : env.get(flag.env());
    return value == null || value.isBlank() ? null : value.trim();
  }

  private String source(Flag flag) {
    if (flags.containsKey(flag.name()) || flag.env() == null) {
      return "--" + flag.name();
    }
    return "env " + flag.env() + " (or --" + flag.name() + ")";
  }
}
