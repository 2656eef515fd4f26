package lab.grpclb.config;

import java.util.Set;

/**
 * One row of {@link FlagTable}: a flag, the env variable that stands in for it, its default, what it means and the
 * modes that read it. Texts may quote names in backticks: docs/flags.md keeps them, --help drops them.
 */
public sealed interface Flag permits Flag.Int, Flag.Text, Flag.Switch {
  String name();

  /** The env variable read when the flag is absent; null for none. */
  String env();

  /** What the value looks like in --help and docs: N, host:port, text|json; empty for a switch. */
  String placeholder();

  /** The default as a reader wants it: the value, or how the code works it out. */
  String shownDefault();

  String meaning();

  Set<Mode> modes();

  /** How it is typed: {@code --name}, and the value's form when it takes one. */
  default String usage() {
    return "--" + name() + (placeholder().isEmpty() ? "" : " " + placeholder());
  }

  /** An integer from min to max; a null default is worked out by the code, as shownDefault says. */
  record Int(String name, String env, Integer defaultValue, int min, int max, String shownDefault, String meaning,
             Set<Mode> modes) implements Flag {
    @Override
    public String placeholder() {
      return "N";
    }

    /** The same flag, read from this env variable when absent. */
    Int env(String variable) {
      return new Int(name, variable, defaultValue, min, max, shownDefault, meaning, modes);
    }

    /** The same flag, its default shown with a note: "`0` (off)". */
    Int shown(String text) {
      return new Int(name, env, defaultValue, min, max, text, meaning, modes);
    }
  }

  /** A value in words; {@code expected} is what an error says it should look like. Null default: none or worked out. */
  record Text(String name, String env, String defaultValue, String placeholder, String expected, String shownDefault,
              String meaning, Set<Mode> modes) implements Flag {
    Text env(String variable) {
      return new Text(name, variable, defaultValue, placeholder, expected, shownDefault, meaning, modes);
    }

    Text shown(String text) {
      return new Text(name, env, defaultValue, placeholder, expected, text, meaning, modes);
    }
  }

  /** Off unless given: bare, or {@code =true|false}; a placeholder such as {@code [NAME]} for an optional value. */
  record Switch(String name, String placeholder, String meaning, Set<Mode> modes) implements Flag {
    @Override
    public String env() {
      return null;
    }

    @Override
    public String shownDefault() {
      return "off";
    }
  }
}
