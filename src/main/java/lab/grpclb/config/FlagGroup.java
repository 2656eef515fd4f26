package lab.grpclb.config;

import java.util.List;

/**
 * One section of --help and docs/flags.md: a heading (backticks allowed), its flags, and for local mode the
 * client's flags it reads too, named rather than described twice.
 */
public record FlagGroup(String heading, List<Flag> flags, List<Flag> alsoClients) {
}
