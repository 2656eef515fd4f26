package lab.grpclb.report;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import lab.grpclb.config.ReportKind;
import java.util.logging.Logger;

/**
 * {@code --mode local --report}: runs the write-up's experiments against the running local cluster through its
 * HTTP API, writes {@code report.md} (with its SVG charts beside it) and a self-contained {@code report.html}, and prints the Markdown.
 */
public final class ReportCommand {
  private static final Logger LOG = Logger.getLogger(ReportCommand.class.getName());

  private ReportCommand() {
  }

  /** Completes with the Markdown once both files are written and it is printed; fails naming the step that could not run. */
  public static Future<String> run(Vertx vertx, int clientPort, ReportOptions options, PrintStream out) {
    return run(vertx, clientPort, options, ReportKind.WRITEUP, out);
  }

  /** The write-up and the experiments beyond it that {@code kind} names, one after the other. */
  public static Future<String> run(Vertx vertx, int clientPort, ReportOptions options, ReportKind kind, PrintStream out) {
    return run(vertx, clientPort, null, ClientStarter.NONE, options, kind, out);
  }

  /**
   * The same against a client that needs {@code token} (its --api-token; null for none), where {@code clients}
   * starts the other clients a section compares (keepalive off, say).
   */
  public static Future<String> run(Vertx vertx, int clientPort, String token, ClientStarter clients,
                                   ReportOptions options, ReportKind kind, PrintStream out) {
    ReportProgress progress = new ReportProgress(System::nanoTime, LOG::info);
    LabApi api = new LabApi(vertx, clientPort, token, progress);
    List<ReportSection> sections = Sections.of(kind, vertx, api, clients, options);
    progress.started(sections.stream().map(SectionPlan::of).toList());
    return runAll(sections, progress)
        .compose(ran -> {
          MarkdownReport.Rendered rendered = MarkdownReport.render(sections);
          String markdown = rendered.markdown();
          return write(vertx, options.outDir(), rendered)
              .compose(written -> vertx.executeBlocking(() -> {
                out.print(markdown);
                out.flush();
                return markdown;
              }));
        })
        .eventually(api::close);
  }

  private static Future<Void> runAll(List<ReportSection> sections, ReportProgress progress) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < sections.size(); i++) {
      int index = i;
      ReportSection section = sections.get(i);
      chain = chain.compose(v -> {
        LOG.info(() -> "report section " + section.name());
        progress.sectionStarted(index);
        return section.run();
      });
    }
    return chain.onSuccess(v -> progress.finished());
  }

  /** report.md, the charts it links to beside it, and report.html with the charts inlined. */
  private static Future<Void> write(Vertx vertx, Path dir, MarkdownReport.Rendered rendered) {
    Path md = dir.resolve("report.md");
    Path page = dir.resolve("report.html");
    String html = HtmlReport.render(rendered);
    Future<Void> written = vertx.fileSystem().mkdirs(dir.toString())
        .compose(v -> vertx.fileSystem().writeFile(md.toString(), Buffer.buffer(rendered.markdown())))
        .compose(v -> vertx.fileSystem().writeFile(page.toString(), Buffer.buffer(html)));
    for (Map.Entry<String, String> chart : rendered.charts().entrySet()) {
      written = written.compose(v -> vertx.fileSystem().writeFile(dir.resolve(chart.getKey()).toString(),
          Buffer.buffer(chart.getValue())));
    }
    return written
        .recover(err -> Future.failedFuture("cannot write the report to " + dir.toAbsolutePath() + ": " + err.getMessage()))
        .onSuccess(v -> LOG.info(() -> "report written to " + md.toAbsolutePath() + " and " + page.toAbsolutePath()));
  }
}
