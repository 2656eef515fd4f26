package lab.grpclb.report;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * {@code --mode local --report}: runs the write-up's experiments against the running local cluster through its
 * HTTP API, writes {@code report.md} and a self-contained {@code report.html}, and prints the Markdown.
 */
public final class ReportCommand {
  private static final Logger LOG = Logger.getLogger(ReportCommand.class.getName());

  private ReportCommand() {
  }

  /** Completes with the Markdown once both files are written and it is printed; fails naming the step that could not run. */
  public static Future<String> run(Vertx vertx, int clientPort, ReportOptions options, PrintStream out) {
    LabApi api = new LabApi(vertx, clientPort);
    return new Writeup(vertx, api, options).run()
        .compose(results -> {
          String markdown = MarkdownReport.render(results, Findings.of(results));
          String html = HtmlReport.render(results, markdown);
          return write(vertx, options.outDir(), markdown, html)
              .compose(v -> vertx.executeBlocking(() -> {
                out.print(markdown);
                out.flush();
                return markdown;
              }));
        })
        .eventually(api::close);
  }

  private static Future<Void> write(Vertx vertx, Path dir, String markdown, String html) {
    Path md = dir.resolve("report.md");
    Path page = dir.resolve("report.html");
    return vertx.fileSystem().mkdirs(dir.toString())
        .compose(v -> vertx.fileSystem().writeFile(md.toString(), Buffer.buffer(markdown)))
        .compose(v -> vertx.fileSystem().writeFile(page.toString(), Buffer.buffer(html)))
        .recover(err -> Future.failedFuture("cannot write the report to " + dir.toAbsolutePath() + ": " + err.getMessage()))
        .onSuccess(v -> LOG.info(() -> "report written to " + md.toAbsolutePath() + " and " + page.toAbsolutePath()));
  }
}
