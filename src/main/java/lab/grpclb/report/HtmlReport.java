package lab.grpclb.report;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.Image;
import org.commonmark.node.Node;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.NodeRenderer;
import org.commonmark.renderer.html.HtmlNodeRendererContext;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * The report as one self-contained HTML page, rendered from its Markdown (commonmark with GitHub tables): the
 * charts the Markdown links to are inlined as SVG where they stand, so nothing is fetched from anywhere.
 */
final class HtmlReport {
  private static final String STYLE = "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;"
      + "line-height:1.45;color:#222}table{border-collapse:collapse;margin:0.5em 0}th,td{border:1px solid #ccc;"
      + "padding:0.25em 0.6em;text-align:left}pre{background:#f5f5f5;padding:0.6em;overflow-x:auto}"
      + "code{font-size:0.92em}.chart{display:block;margin:1em 0}.chart svg{max-width:100%;height:auto}"
      + ".caption{display:block;color:#555;font-size:0.9em}";

  private HtmlReport() {
  }

  static String render(MarkdownReport.Rendered report) {
    List<org.commonmark.Extension> extensions = List.of(TablesExtension.create());
    Node document = Parser.builder().extensions(extensions).build().parse(report.markdown());
    String body = HtmlRenderer.builder().extensions(extensions)
        .nodeRendererFactory(context -> new InlineCharts(context, report.charts())).build().render(document);
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        + "<title>grpc-lb-lab: the write-up, reproduced</title>\n<style>" + STYLE + "</style>\n</head>\n<body>\n"
        + body + "</body>\n</html>\n";
  }

  /** Renders an image whose destination is one of the report's charts as that chart's SVG, captioned. */
  private static final class InlineCharts implements NodeRenderer {
    private final HtmlNodeRendererContext context;
    private final Map<String, String> charts;

    InlineCharts(HtmlNodeRendererContext context, Map<String, String> charts) {
      this.context = context;
      this.charts = charts;
    }

    @Override
    public Set<Class<? extends Node>> getNodeTypes() {
      return Set.of(Image.class);
    }

    @Override
    public void render(Node node) {
      Image image = (Image) node;
      String svg = charts.get(image.getDestination());
      if (svg == null) {
        throw new IllegalStateException("the report links to a chart it did not draw: " + image.getDestination());
      }
      StringBuilder alt = new StringBuilder();
      for (Node child = image.getFirstChild(); child != null; child = child.getNext()) {
        if (child instanceof Text text) {
          alt.append(text.getLiteral());
        }
      }
      context.getWriter().raw("<span class=\"chart\">" + svg + "<span class=\"caption\">" + Charts.escape(alt.toString())
          + "</span></span>");
    }
  }
}
