package lab.grpclb.report;

/**
 * Turns the Markdown this report writes (headings, tables, lists, fenced blocks, paragraphs, `code` and
 * **bold**) into HTML. Only that subset: the report is its only input.
 */
final class MarkdownHtml {
  private final StringBuilder html = new StringBuilder();
  private String open; // the block element being filled: "p", "ul", "table", "pre", or null
  private boolean tableHead;

  private MarkdownHtml() {
  }

  static String convert(String markdown) {
    MarkdownHtml converter = new MarkdownHtml();
    for (String line : markdown.split("\n", -1)) {
      converter.line(line);
    }
    converter.close();
    return converter.html.toString();
  }

  private void line(String line) {
    if ("pre".equals(open)) {
      if (line.startsWith("```")) {
        html.append("</code></pre>\n");
        open = null;
      } else {
        html.append(escape(line)).append('\n');
      }
      return;
    }
    if (line.startsWith("```")) {
      close();
      html.append("<pre><code>");
      open = "pre";
    } else if (line.isBlank()) {
      close();
    } else if (line.startsWith("#")) {
      close();
      int level = Math.min(6, line.indexOf(' ') > 0 ? line.indexOf(' ') : 1);
      html.append("<h").append(level).append('>').append(inline(line.substring(level).trim()))
          .append("</h").append(level).append(">\n");
    } else if (line.startsWith("|")) {
      tableRow(line);
    } else if (line.startsWith("* ") || line.startsWith("- ")) {
      enter("ul");
      html.append("<li>").append(inline(line.substring(2))).append("</li>\n");
    } else {
      enter("p");
      html.append(inline(line)).append('\n');
    }
  }

  private void tableRow(String line) {
    String[] cells = line.substring(1, line.endsWith("|") ? line.length() - 1 : line.length()).split("\\|");
    if (cells.length > 0 && cells[0].trim().startsWith("---")) {
      return; // the header separator
    }
    if (!"table".equals(open)) {
      enter("table");
      tableHead = true;
    }
    String tag = tableHead ? "th" : "td";
    html.append("<tr>");
    for (String cell : cells) {
      html.append('<').append(tag).append('>').append(inline(cell.trim())).append("</").append(tag).append('>');
    }
    html.append("</tr>\n");
    tableHead = false;
  }

  private void enter(String element) {
    if (!element.equals(open)) {
      close();
      html.append('<').append(element).append(">\n");
      open = element;
    }
  }

  private void close() {
    if (open != null) {
      html.append(open.equals("pre") ? "</code></pre>\n" : "</" + open + ">\n");
      open = null;
    }
  }

  private static String inline(String text) {
    return escape(text)
        .replaceAll("`([^`]+)`", "<code>$1</code>")
        .replaceAll("\\*\\*([^*]+)\\*\\*", "<strong>$1</strong>");
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
