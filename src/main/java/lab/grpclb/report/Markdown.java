package lab.grpclb.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The report's Markdown as it is written, and the SVG charts it links to (files beside it), by file name. */
final class Markdown {
  private final StringBuilder md = new StringBuilder();
  private final Map<String, String> charts = new LinkedHashMap<>();

  Markdown line(String text) {
    md.append(text).append('\n');
    return this;
  }

  /** A GitHub table: the header, then one row per list. */
  Markdown table(List<String> header, List<List<String>> rows) {
    line("| " + String.join(" | ", header) + " |");
    line("|" + " -------- |".repeat(header.size()));
    rows.forEach(row -> line("| " + String.join(" | ", row) + " |"));
    return line("");
  }

  /** A chart where it stands: linked as an image from the Markdown, inlined by the HTML page. */
  Markdown chart(String file, String caption, String svg) {
    charts.put(file, svg);
    line("![" + caption + "](" + file + ")");
    return line("");
  }

  String text() {
    return md.toString();
  }

  Map<String, String> charts() {
    return charts;
  }
}
