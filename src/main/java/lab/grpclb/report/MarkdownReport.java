package lab.grpclb.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The report as Markdown, the one source of the HTML page too: the answer first (every section's summary lines, at
 * most {@link Summary#MAX_LINES}), then each section in order, then every section's findings.
 */
final class MarkdownReport {
  private MarkdownReport() {
  }

  /** The Markdown and the charts it links to, by file name. */
  record Rendered(String markdown, Map<String, String> charts) {
  }

  static Rendered render(List<ReportSection> sections) {
    Markdown md = new Markdown();
    boolean writeup = sections.stream().anyMatch(Writeup.class::isInstance);
    md.line(writeup ? "# The write-up, reproduced on one machine" : "# grpc-lb-lab: beyond the write-up");
    md.line("");
    md.line("## Summary");
    md.line("");
    List<String> summary = new ArrayList<>();
    sections.forEach(section -> summary.addAll(section.summary()));
    summary.stream().limit(Summary.MAX_LINES).forEach(sentence -> md.line("* " + sentence));
    md.line("");
    sections.forEach(section -> section.render(md));
    md.line("## Findings");
    md.line("");
    sections.forEach(section -> section.findings().forEach(finding -> md.line("* " + finding)));
    return new Rendered(md.text(), md.charts());
  }
}
