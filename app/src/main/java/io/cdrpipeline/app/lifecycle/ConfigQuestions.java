package io.cdrpipeline.app.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.app.context.Prompts;
import io.cdrpipeline.app.context.UserException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The questions of {@code cdr configure}: each answered by its option when given, else asked on the
 * terminal (again after a bad answer, saying what was wrong), else, with {@code --yes}, by its
 * default. The values of an existing config file are the defaults.
 */
final class ConfigQuestions {
  /** The terminal, or null without one (or with --yes). */
  private final Prompts prompts;

  private final boolean yes;
  private final PrintStream out;
  private final List<String> warnings = new ArrayList<>();
  private ObjectNode old = JsonNodeFactory.instance.objectNode();

  ConfigQuestions(Prompts prompts, boolean yes, PrintStream out) {
    this.prompts = prompts;
    this.yes = yes;
    this.out = Objects.requireNonNull(out, "out is null");
  }

  /** Takes the values of an existing config file as the defaults. */
  void defaultsFrom(ObjectNode existing) {
    old = Objects.requireNonNull(existing, "existing is null");
  }

  /** The existing config file's values (empty without one). */
  ObjectNode old() {
    return old;
  }

  /** The warnings said so far, to repeat after the file is shown. */
  List<String> warnings() {
    return List.copyOf(warnings);
  }

  /**
   * The answer to one question: its option when given, else the person's, else (with --yes) its
   * default; {@code check} refuses a bad one with a message and returns the value to write. {@code
   * beforeAsking}, if any, runs before the question is asked on the terminal.
   */
  String answer(
      String option,
      String given,
      String question,
      String dflt,
      Function<String, String> check,
      boolean secret,
      Runnable beforeAsking) {
    if (given != null) {
      try {
        return check.apply(given);
      } catch (IllegalArgumentException | UserException e) {
        throw new UserException(option + ": " + e.getMessage());
      }
    }
    if (prompts != null) {
      if (beforeAsking != null) {
        beforeAsking.run();
      }
      return secret ? prompts.askSecret(question, dflt, check) : prompts.ask(question, dflt, check);
    }
    if (!yes) {
      throw new UserException(
          "there is no terminal to ask on: give "
              + option
              + " (and the other answers) as options, and --yes to take the defaults of the rest");
    }
    if (dflt == null) {
      throw new UserException(option + " is needed: it has no default");
    }
    try {
      return check.apply(dflt);
    } catch (IllegalArgumentException | UserException e) {
      throw new UserException(option + " (default " + dflt + "): " + e.getMessage());
    }
  }

  boolean flag(String option, Boolean given, String question, boolean dflt) {
    if (given != null) {
      return given;
    }
    if (prompts != null) {
      return prompts.yes(question, dflt);
    }
    if (!yes) {
      throw new UserException(
          "there is no terminal to ask on: give "
              + option
              + " or --no-"
              + option.substring(2)
              + ", and --yes to take the defaults of the rest");
    }
    return dflt;
  }

  String text(String key, String dflt) {
    JsonNode n = old;
    for (String part : key.split("\\.")) {
      n = n.path(part);
    }
    return n.isValueNode() && !n.isNull() ? n.asText() : dflt;
  }

  void say(String line) {
    if (prompts != null) {
      prompts.say(line);
    } else {
      out.println(line); // stderr is for the one line of a mistake
    }
  }

  void warn(String line) {
    warnings.add(line);
    say("warning: " + line);
  }
}
