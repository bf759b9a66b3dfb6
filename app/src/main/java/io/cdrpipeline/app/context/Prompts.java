package io.cdrpipeline.app.context;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * Questions to a person at a terminal, through JLine: one line per answer, secrets typed without
 * echo, an invalid answer said and the question asked again. Ctrl-C or Ctrl-D at a question ends
 * the command ({@link Cancelled}).
 */
public final class Prompts implements AutoCloseable {
  private final Terminal terminal;
  private final LineReader reader;
  private final boolean ownsTerminal;

  private Prompts(Terminal terminal, boolean ownsTerminal) {
    this.terminal = Objects.requireNonNull(terminal, "terminal is null");
    this.ownsTerminal = ownsTerminal;
    if (terminal.getWidth() <= 0) {
      // a terminal that tells no size (a serial line, a pty made by a program): JLine would cut
      // every prompt to nothing
      terminal.setSize(new org.jline.terminal.Size(120, Math.max(terminal.getHeight(), 24)));
    }
    this.reader =
        LineReaderBuilder.builder()
            .terminal(terminal)
            // answers are taken as typed: no '!' history expansion (tokens and passwords have
            // them), no completion
            .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
            .option(LineReader.Option.AUTO_LIST, false)
            .option(LineReader.Option.AUTO_MENU, false)
            .variable(LineReader.HISTORY_SIZE, 0)
            .build();
  }

  /** Questions on a terminal the caller owns (a test's, or one given to the command). */
  static Prompts on(Terminal terminal) {
    return new Prompts(terminal, false);
  }

  /** Questions on this process's terminal; only when standard input and output are one. */
  static Prompts system() throws IOException {
    // JLine's own check of the streams, and no dumb fallback: no terminal means no questions
    return new Prompts(TerminalBuilder.builder().system(true).dumb(false).build(), true);
  }

  /** Prints a line to the person. */
  public void say(String line) {
    PrintWriter w = terminal.writer();
    w.println(line);
    w.flush();
  }

  /** The line typed after the prompt, stripped. */
  String line(String prompt) {
    try {
      return reader.readLine(prompt).strip();
    } catch (UserInterruptException | EndOfFileException e) {
      throw new Cancelled();
    }
  }

  /** A line typed without echo (shown as '*'). */
  String secret(String prompt) {
    try {
      return reader.readLine(prompt, '*').strip();
    } catch (UserInterruptException | EndOfFileException e) {
      throw new Cancelled();
    }
  }

  /**
   * Asks until {@code parse} accepts the answer; an empty answer is {@code dflt} (when there is
   * one). {@code parse} refuses with an IllegalArgumentException or a user mistake whose message is
   * said before the question is asked again.
   */
  public <T> T ask(String question, String dflt, Function<String, T> parse) {
    return ask(question, dflt, parse, false);
  }

  /** As {@link #ask}, typed without echo; the default is never shown. */
  public <T> T askSecret(String question, String dflt, Function<String, T> parse) {
    return ask(question, dflt, parse, true);
  }

  private <T> T ask(String question, String dflt, Function<String, T> parse, boolean secret) {
    // a secret's default is never shown: the question says what Enter does
    String prompt =
        question + (dflt == null || dflt.isEmpty() || secret ? "" : " [" + dflt + "]") + ": ";
    while (true) {
      String answer = secret ? secret(prompt) : line(prompt);
      if (answer.isEmpty() && dflt != null) {
        answer = dflt;
      }
      try {
        return parse.apply(answer);
      } catch (IllegalArgumentException | UserException e) {
        say("  " + e.getMessage() + " (Ctrl-C to leave)");
      }
    }
  }

  /** A whole number from {@code min} to {@code max}, asked until it is one. */
  public int number(String question, int dflt, int min, int max) {
    return ask(
        question + " (" + min + "-" + max + ")", Integer.toString(dflt), a -> whole(a, min, max));
  }

  /** Yes or no. */
  public boolean yes(String question, boolean dflt) {
    return ask(
        question + (dflt ? " [Y/n]" : " [y/N]"),
        "",
        a -> {
          String v = a.toLowerCase(Locale.ROOT);
          if (v.isEmpty()) {
            return dflt;
          }
          if (List.of("y", "yes").contains(v)) {
            return true;
          }
          if (List.of("n", "no").contains(v)) {
            return false;
          }
          throw new IllegalArgumentException("answer y or n, not '" + a + "'");
        });
  }

  /** Parses a whole number in a range, or says what is wrong with the answer. */
  public static int whole(String answer, int min, int max) {
    String a = answer.strip();
    if (!a.matches("[+-]?\\d{1,18}")) {
      throw new IllegalArgumentException("'" + answer + "' is not a whole number");
    }
    long v = Long.parseLong(a);
    if (v < min || v > max) {
      throw new IllegalArgumentException(v + " is not between " + min + " and " + max);
    }
    return (int) v;
  }

  @Override
  public void close() throws IOException {
    if (ownsTerminal) {
      terminal.close();
    }
  }

  /** The person left the questions (Ctrl-C, Ctrl-D): nothing is done. */
  public static final class Cancelled extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Cancelled() {
      super("cancelled: nothing was written or changed", null, false, false);
    }
  }
}
