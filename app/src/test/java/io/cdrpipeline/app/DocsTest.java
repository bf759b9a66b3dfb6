package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.commonmark.ext.gfm.tables.TableBlock;
import org.commonmark.ext.gfm.tables.TableBody;
import org.commonmark.ext.gfm.tables.TableCell;
import org.commonmark.ext.gfm.tables.TableHead;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.ext.heading.anchor.IdGenerator;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.Code;
import org.commonmark.node.Heading;
import org.commonmark.node.Image;
import org.commonmark.node.Link;
import org.commonmark.node.Node;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The documentation holds together: every relative link of README.md and docs/ leads somewhere, the
 * README's command table names every command of {@code cdr} and each has its section in docs/, and
 * the help of every command is text picocli formats without a warning.
 */
class DocsTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Parser MARKDOWN =
      Parser.builder().extensions(List.of(TablesExtension.create())).build();

  @Test
  void everyRelativeLinkLeadsToAFileAndAHeadingThatExist() throws IOException {
    assertThat(brokenLinks(pages())).isEmpty();
  }

  @Test
  void aMissingFileOrHeadingIsABrokenLink(@TempDir Path dir) throws IOException {
    Files.writeString(
        dir.resolve("a.md"),
        "# A page\n\n## `cdr etl`, the ETL\n\n"
            + "[ok](b.md#the-b-page) [ok](#cdr-etl-the-etl) [ok](https://example.com/x.md#nowhere) ![ok](b.md)\n"
            + "[gone](c.md) [no heading](b.md#nowhere) [no heading here](#nowhere)\n");
    Files.writeString(dir.resolve("b.md"), "The B page\n==========\n");
    List<String> broken = brokenLinks(List.of(dir.resolve("a.md"), dir.resolve("b.md")));
    assertThat(broken)
        .hasSize(3)
        .anyMatch(b -> b.contains("c.md"))
        .anyMatch(b -> b.contains("b.md#nowhere"))
        .anyMatch(b -> b.contains("link #nowhere"));
  }

  @Test
  void everyCommandOfTheReadmesTableHasItsSectionInTheDocs() throws IOException {
    Map<String, String> table = commandTable();
    assertThat(table).isNotEmpty();
    for (Map.Entry<String, String> row : table.entrySet()) {
      String command = row.getKey();
      String link = row.getValue();
      assertThat(link).as(command).startsWith("docs/").contains("#");
      Path page = ROOT.resolve(link.substring(0, link.indexOf('#')));
      assertThat(headings(page).get(link.substring(link.indexOf('#') + 1)))
          .as("the heading %s links to", command)
          .isNotNull()
          .contains(command);
    }
  }

  @Test
  void everyCommandOfCdrIsInTheReadmesCommandTableAndNoOther() throws IOException {
    Set<String> commands = new LinkedHashSet<>();
    for (CommandLine top : shown(CdrCommand.everyCommand())) {
      Set<CommandLine> subs = shown(top);
      if (subs.isEmpty()) {
        commands.add("cdr " + top.getCommandName());
      }
      for (CommandLine sub : subs) {
        commands.add("cdr " + top.getCommandName() + " " + sub.getCommandName());
      }
    }
    assertThat(commands).contains("cdr etl", "cdr table drop-day", "cdr bench-table", "cdr help");
    assertThat(commandTable().keySet()).containsExactlyInAnyOrderElementsOf(commands);
  }

  @Test
  void everyHelpTextIsFormattedWithoutAWarning() {
    List<CommandSpec> specs = new ArrayList<>();
    collect(CdrCommand.everyCommand().getCommandSpec(), specs);
    for (CommandSpec spec : specs) {
      List<String> texts = new ArrayList<>();
      texts.addAll(List.of(spec.usageMessage().description()));
      texts.addAll(List.of(spec.usageMessage().header()));
      texts.addAll(List.of(spec.usageMessage().footer()));
      for (ArgSpec arg : spec.args()) {
        texts.addAll(List.of(arg.description()));
      }
      for (String text : texts) {
        // picocli formats help text with String.format; a bare % makes it warn and print the raw
        // text
        assertThatCode(() -> String.format(Locale.ROOT, text))
            .as("%s: %s", spec.qualifiedName(), text)
            .doesNotThrowAnyException();
      }
    }
  }

  /**
   * The commands under {@code parent} that its help lists (not the hidden ones, such as 'executions
   * run').
   */
  private static Set<CommandLine> shown(CommandLine parent) {
    Set<CommandLine> shown = new LinkedHashSet<>();
    for (CommandLine sub : parent.getSubcommands().values()) {
      if (!sub.getCommandSpec().usageMessage().hidden()) {
        shown.add(sub);
      }
    }
    return shown;
  }

  private static void collect(CommandSpec spec, List<CommandSpec> into) {
    into.add(spec);
    for (CommandLine sub : new LinkedHashSet<>(spec.subcommands().values())) {
      collect(sub.getCommandSpec(), into);
    }
  }

  /** README.md and every page of docs/. */
  static List<Path> pages() throws IOException {
    List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    return pages;
  }

  /**
   * One line for each relative link (or image) of the pages that leads to no file, or to no heading
   * of it.
   */
  static List<String> brokenLinks(List<Path> pages) throws IOException {
    List<String> broken = new ArrayList<>();
    Map<Path, Map<String, String>> headings = new HashMap<>();
    for (Path page : pages) {
      List<String> destinations = new ArrayList<>();
      parse(page)
          .accept(
              new AbstractVisitor() {
                @Override
                public void visit(Link link) {
                  destinations.add(link.getDestination());
                  visitChildren(link);
                }

                @Override
                public void visit(Image image) {
                  destinations.add(image.getDestination());
                }
              });
      for (String destination : destinations) {
        if (destination.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
          continue; // https:, mailto: ...: not a file of the repository
        }
        int hash = destination.indexOf('#');
        String file = hash < 0 ? destination : destination.substring(0, hash);
        Path target = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        String where = ROOT.relativize(page) + ": link " + destination;
        if (!Files.exists(target)) {
          broken.add(where + ": no file " + target);
        } else if (hash >= 0) {
          String anchor = destination.substring(hash + 1);
          Map<String, String> ids =
              target.toString().endsWith(".md")
                  ? headings.computeIfAbsent(target, DocsTest::headingsUnchecked)
                  : Map.of();
          if (!ids.containsKey(anchor)) {
            broken.add(where + ": no heading #" + anchor + " in " + target.getFileName());
          }
        }
      }
    }
    return broken;
  }

  /**
   * The anchors of a page's headings, in GitHub's rule (lower case, spaces to '-', punctuation
   * dropped, a repeated one numbered), each with the heading's text.
   */
  static Map<String, String> headings(Path page) throws IOException {
    Map<String, String> ids = new LinkedHashMap<>();
    IdGenerator generator = IdGenerator.builder().build();
    parse(page)
        .accept(
            new AbstractVisitor() {
              @Override
              public void visit(Heading heading) {
                StringBuilder text = new StringBuilder();
                heading.accept(
                    new AbstractVisitor() {
                      @Override
                      public void visit(Text t) {
                        text.append(t.getLiteral());
                      }

                      @Override
                      public void visit(Code c) {
                        text.append(c.getLiteral());
                      }
                    });
                ids.put(generator.generateId(text.toString()), text.toString());
              }
            });
    return ids;
  }

  private static Map<String, String> headingsUnchecked(Path page) {
    try {
      return headings(page);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The README's command table: each command (the code of the first cell's link) with where the
   * link leads.
   */
  static Map<String, String> commandTable() throws IOException {
    Map<String, String> commands = new LinkedHashMap<>();
    parse(ROOT.resolve("README.md"))
        .accept(
            new AbstractVisitor() {
              @Override
              public void visitChildren(Node parent) {
                if (parent instanceof TableBlock table
                    && text(table.getFirstChild().getFirstChild().getFirstChild())
                        .equals("command")) {
                  assertThat(table.getFirstChild()).isInstanceOf(TableHead.class);
                  assertThat(table.getLastChild()).isInstanceOf(TableBody.class);
                  for (Node row = table.getLastChild().getFirstChild();
                      row != null;
                      row = row.getNext()) {
                    TableCell first = (TableCell) row.getFirstChild();
                    assertThat(first.getFirstChild())
                        .as("the first cell of a row of the command table is a link: %s", text(row))
                        .isInstanceOf(Link.class);
                    Link link = (Link) first.getFirstChild();
                    commands.put(text(link), link.getDestination());
                  }
                  return;
                }
                super.visitChildren(parent);
              }
            });
    return commands;
  }

  private static String text(Node node) {
    StringBuilder text = new StringBuilder();
    node.accept(
        new AbstractVisitor() {
          @Override
          public void visit(Text t) {
            text.append(t.getLiteral());
          }

          @Override
          public void visit(Code c) {
            text.append(c.getLiteral());
          }
        });
    return text.toString();
  }

  private static Node parse(Path page) throws IOException {
    return MARKDOWN.parse(Files.readString(page));
  }
}
