package lab.grpclb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import lab.grpclb.config.ConfigException;
import lab.grpclb.config.Flag;
import lab.grpclb.config.FlagDocs;
import lab.grpclb.config.FlagTable;
import lab.grpclb.config.Mode;
import org.junit.jupiter.api.Test;

/**
 * The flag table against what each mode really reads, what --help prints and what docs/flags.md says: a flag added
 * to a config record but not to the table, a default changed in one place only, or a stale docs file fails here.
 */
class FlagTableTest {

  @Test
  void everyModeReadsExactlyTheTablesFlags() {
    for (Mode mode : Mode.values()) {
      List<String> tabled = FlagTable.of(mode).stream().map(Flag::name).toList();
      assertEquals(tabled.size(), Set.copyOf(tabled).size(), "a flag twice in " + mode + "'s rows: " + tabled);
      assertEquals(new TreeSet<>(tabled), read(mode), "--mode " + mode.wireName() + " reads other flags than the table");
    }
  }

  @Test
  void helpShowsEveryFlagUnderItsModeWithItsDefaultAndEnv() {
    List<String> sections = Arrays.asList(Main.USAGE.split("\n\n"));
    String everyMode = section(sections, "Every mode");
    for (Mode mode : Mode.values()) {
      String own = section(sections, "--mode " + mode.wireName() + ": " + mode.title());
      for (Flag flag : FlagTable.of(mode)) {
        boolean inEveryMode = flag.modes().size() == Mode.values().length;
        if (!inEveryMode && mode == Mode.LOCAL && flag.modes().contains(Mode.CLIENT)) {
          List<String> named = List.of(own.substring(own.indexOf("and the client's")).split("[,\\s]+"));
          assertTrue(named.contains("--" + flag.name()), "local mode's help does not name --" + flag.name() + ":\n" + own);
          continue;
        }
        String line = (inEveryMode ? everyMode : own).lines().filter(l -> l.startsWith("  --" + flag.name() + " "))
            .findFirst().orElseThrow(() -> new AssertionError("--help does not show --" + flag.name() + " under --mode "
                + mode.wireName() + ":\n" + own));
        assertTrue(line.contains("(default " + flag.shownDefault().replace("`", "")), line);
        assertTrue(flag.env() == null || line.contains("env " + flag.env()), line);
      }
    }
  }

  @Test
  void docsFlagsMdIsWhatTheTableGives() throws IOException {
    String committed = Files.readString(FlagDocs.PATH);
    assertEquals(FlagDocs.render(), committed, FlagDocs.PATH + " differs from FlagTable: regenerate it with `"
        + "java -cp target/grpc-lb-lab.jar " + FlagDocs.class.getName() + "` after `mvn package -DskipTests`");
  }

  /** The flags a mode's startup reads, as its unknown-flag error lists them (nothing has started by then). */
  private static Set<String> read(Mode mode) {
    try {
      Main.start(new String[] {"--mode", mode.wireName(), "--no-such-flag", "x"}, Map.of());
    } catch (ConfigException e) {
      String listed = e.getMessage().substring(e.getMessage().indexOf("valid flags: --") + "valid flags: --".length());
      return new TreeSet<>(List.of(listed.split(", --")));
    }
    throw new AssertionError("--mode " + mode.wireName() + " took an unknown flag");
  }

  private static String section(List<String> sections, String heading) {
    return sections.stream().filter(s -> s.startsWith(heading + "\n")).findFirst()
        .orElseThrow(() -> new AssertionError("no section '" + heading + "' in --help:\n" + Main.USAGE));
  }
}
