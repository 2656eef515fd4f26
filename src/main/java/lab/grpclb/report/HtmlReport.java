package lab.grpclb.report;

/** The report as one self-contained HTML page: inline styles and SVG, nothing fetched from anywhere. */
final class HtmlReport {
  private static final String STYLE = "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;"
      + "line-height:1.45;color:#222}table{border-collapse:collapse;margin:0.5em 0}th,td{border:1px solid #ccc;"
      + "padding:0.25em 0.6em;text-align:left}pre{background:#f5f5f5;padding:0.6em;overflow-x:auto}"
      + "code{font-size:0.92em}figure{margin:1.5em 0}figcaption{color:#555;font-size:0.9em}";

  private HtmlReport() {
  }

  static String render(Results results, String markdown) {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        + "<title>grpc-lb-lab: the write-up, reproduced</title>\n<style>" + STYLE + "</style>\n</head>\n<body>\n"
        + MarkdownHtml.convert(markdown)
        + "<h2>Charts</h2>\n"
        + figure(Charts.elapsedVsN(results), "Elapsed time of each run against n, per client type (sections 1 and 2).")
        + figure(Charts.callsPerPod(results), "Calls per pod: the count_per_ip runs of sections 1 and 2, then each "
            + "step of section 3. Each pod IP keeps its colour; hover for the numbers.")
        + "</body>\n</html>\n";
  }

  private static String figure(String svg, String caption) {
    return "<figure>\n" + svg + "\n<figcaption>" + MarkdownHtml.escape(caption) + "</figcaption>\n</figure>\n";
  }
}
