package lab.grpclb.deploy;

import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;

/** What the Dockerfile must agree with in pom.xml. */
record Pom(String finalName, String javaRelease) {
  static Pom read(Path file) throws Exception {
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
    String finalName = doc.getElementsByTagName("finalName").item(0).getTextContent().trim();
    String release = doc.getElementsByTagName("maven.compiler.release").item(0).getTextContent().trim();
    return new Pom(finalName, release);
  }
}
