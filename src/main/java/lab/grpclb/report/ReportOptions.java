package lab.grpclb.report;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code --mode local --report} measures: the write-up's sizes by default; tests pass smaller ones.
 *
 * @param ns          the sizes of the timing tables (sections 1 and 2)
 * @param spreadN     the size whose count_per_ip section 1 shows (Client and ClientWithReuseConn)
 * @param splitN      the size whose count_per_ip section 2 shows (ClientWithReuseConn and ClientWithKubeResolver)
 * @param stepN       the size of each scaling step's run (section 3)
 * @param killN       the size of the run a pod is deleted in the middle of
 * @param killAfterMs how long after that run starts the pod is deleted
 * @param warmupN     the size of each client type's warm-up run, discarded
 * @param outDir      where report.md and report.html go
 */
public record ReportOptions(List<Integer> ns, int spreadN, int splitN, int stepN, int killN, long killAfterMs,
                            int warmupN, Path outDir) {

  /** The write-up's experiments: n = 1000, 2000, 3000, 10 000; 2000 calls per scaling step, 10 000 for the kill. */
  public static ReportOptions writeup(Path outDir) {
    return new ReportOptions(List.of(1000, 2000, 3000, 10_000), 2000, 10_000, 2000, 10_000, 100, 1000, outDir);
  }
}
