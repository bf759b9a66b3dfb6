package io.cdrpipeline.etl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.cdrpipeline.failure.FailureText;
import io.cdrpipeline.model.CdrField;
import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.model.FieldColumns;
import io.cdrpipeline.model.InputLimits;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.store.UnreadableObjectException;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns the bytes of one raw CDR file into a processed row or a rejection. This is the only place
 * the row rules live (types, coercions, derived columns); the embedded ETL and the Spark job both
 * call it. Pure and thread-safe.
 */
public final class Normalizer {
  // the parser's own limits follow the file limit, so the file limit is the one that speaks
  private static final JsonFactory JSON =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(200)
                  .maxDocumentLength(InputLimits.MAX_FILE_BYTES)
                  .maxStringLength(InputLimits.MAX_FILE_BYTES)
                  .maxNameLength(InputLimits.MAX_FILE_BYTES)
                  .build())
          .build();
  private static final Pattern PLAIN_NUMBER =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final String[] HOURS = new String[24];
  private static final CdrField[] FIELDS = CdrField.values();
  private static final int COLUMN_COUNT = ProcessedSchema.COLUMNS.size();

  /** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: times every reader of the table can hold. */
  private static final long MIN_EPOCH_SECOND = -62135596800L;

  private static final long MAX_EPOCH_SECOND = 253402300799L;

  static {
    for (int h = 0; h < 24; h++) {
      HOURS[h] = String.format("%02d", h);
    }
  }

  /** Normalizes one file; never throws for bad content, which becomes a {@link Rejection}. */
  public NormalizedRecord normalize(byte[] content, String sourceKey) {
    if (content.length > InputLimits.MAX_FILE_BYTES) {
      return new Rejection(
          sourceKey,
          UnreadableObjectException.tooLargeReason(content.length, InputLimits.MAX_FILE_BYTES));
    }
    if (isBlank(content)) {
      return new Rejection(
          sourceKey, content.length == 0 ? "empty file" : "empty file (whitespace only)");
    }
    Object[] values = new Object[COLUMN_COUNT];
    long given = 0; // bit i: known field i was given
    Map<String, Object> extras = null;
    FieldColumns extraNames = null;
    try (JsonParser p = JSON.createParser(content)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        return new Rejection(sourceKey, "not a JSON object: the file holds " + describe(first));
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        String badName = checkName(name);
        if (badName != null) {
          return new Rejection(sourceKey, badName);
        }
        JsonToken v = p.nextToken();
        CdrField field = CdrField.byName(name);
        if (field != null) {
          // the same field twice (in any spelling) leaves its value ambiguous: readers differ
          if ((given & (1L << field.ordinal())) != 0) {
            return new Rejection(
                sourceKey,
                "field "
                    + field.jsonName()
                    + " appears more than once"
                    + (name.equals(field.jsonName())
                        ? ""
                        : " (also as \"" + abbreviate(name) + "\")"));
          }
          given |= 1L << field.ordinal();
          Object value;
          try {
            value = convert(field, v, p);
          } catch (WrongType e) {
            return new Rejection(sourceKey, e.getMessage());
          }
          values[field.ordinal()] = value;
        } else {
          if (extras == null) {
            extras = new LinkedHashMap<>();
            extraNames = new FieldColumns();
          }
          String column = extraNames.column(name);
          if (column == null) {
            return new Rejection(
                sourceKey, "field \"" + abbreviate(name) + "\" appears more than once");
          }
          if (extras.size() == InputLimits.MAX_UNKNOWN_FIELDS) {
            return new Rejection(
                sourceKey,
                "too many unknown fields: more than "
                    + InputLimits.MAX_UNKNOWN_FIELDS
                    + " (the limit per file)");
          }
          extras.put(column, extraValue(v, p));
        }
      }
      if (t != JsonToken.END_OBJECT) {
        return new Rejection(sourceKey, "not valid JSON: unexpected " + describe(t));
      }
      JsonToken after = p.nextToken();
      if (after != null) {
        return new Rejection(sourceKey, "not valid JSON: content after the end of the object");
      }
    } catch (JsonProcessingException e) {
      return new Rejection(sourceKey, "not valid JSON: " + firstLine(e.getOriginalMessage()));
    } catch (IOException e) {
      return new Rejection(sourceKey, "not valid JSON: " + firstLine(e.getMessage()));
    }

    Object callId = values[CdrField.CALL_ID.ordinal()];
    if (callId == null || ((String) callId).isBlank()) {
      return new Rejection(sourceKey, "missing CallId");
    }
    Long start = (Long) values[CdrField.START_TIME_EPOCH_SECONDS.ordinal()];
    if (start == null) {
      return new Rejection(sourceKey, "missing StartTimeEpochSeconds");
    }
    Long end = (Long) values[CdrField.END_TIME_EPOCH_SECONDS.ordinal()];
    if (outOfRange(start)) {
      return new Rejection(
          sourceKey,
          "StartTimeEpochSeconds out of range: "
              + start
              + " (not a time between years 1 and 9999)");
    }
    if (end != null && outOfRange(end)) {
      return new Rejection(
          sourceKey,
          "EndTimeEpochSeconds out of range: " + end + " (not a time between years 1 and 9999)");
    }
    values[ProcessedSchema.DURATION] = end == null ? null : end - start;
    values[ProcessedSchema.NPANXX] =
        npanxx((String) values[CdrField.DESTINATION_PHONE_NUMBER.ordinal()]);
    values[ProcessedSchema.HOUR] = HOURS[(int) Math.floorMod(Math.floorDiv(start, 3600L), 24L)];
    values[ProcessedSchema.START_TIME] = start;
    values[ProcessedSchema.END_TIME] = end;
    values[ProcessedSchema.SOURCE_KEY] = sourceKey;
    return new ProcessedRow(values, extras == null ? Collections.emptyMap() : extras);
  }

  /**
   * The NPA-NXX of a North American number: the six digits after the country code 1 when the digits
   * after an optional {@code +} are eleven long and start with 1; null otherwise.
   */
  public static String npanxx(String phoneNumber) {
    if (phoneNumber == null) {
      return null;
    }
    int from = phoneNumber.startsWith("+") ? 1 : 0;
    if (phoneNumber.length() - from != 11 || phoneNumber.charAt(from) != '1') {
      return null;
    }
    for (int i = from; i < phoneNumber.length(); i++) {
      char c = phoneNumber.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
    }
    return phoneNumber.substring(from + 1, from + 7);
  }

  private static Object convert(CdrField field, JsonToken v, JsonParser p) throws IOException {
    if (v == JsonToken.VALUE_NULL) {
      return null;
    }
    switch (field.type()) {
      case VARCHAR:
        if (v == JsonToken.VALUE_STRING
            || v == JsonToken.VALUE_NUMBER_INT
            || v == JsonToken.VALUE_NUMBER_FLOAT) {
          return p.getText();
        }
        throw wrongType(field, "text", v, p);
      case BIGINT:
        return toLong(field, v, p);
      case DOUBLE:
        return toDouble(field, v, p);
      case BOOLEAN:
        if (v == JsonToken.VALUE_TRUE) {
          return Boolean.TRUE;
        }
        if (v == JsonToken.VALUE_FALSE) {
          return Boolean.FALSE;
        }
        if (v == JsonToken.VALUE_STRING) {
          String s = p.getText().trim().toLowerCase(Locale.ROOT);
          if (s.equals("true")) {
            return Boolean.TRUE;
          }
          if (s.equals("false")) {
            return Boolean.FALSE;
          }
        }
        throw wrongType(field, "true or false", v, p);
      default:
        throw new IllegalStateException("no conversion for " + field.type());
    }
  }

  private static Long toLong(CdrField field, JsonToken v, JsonParser p) throws IOException {
    if (v == JsonToken.VALUE_NUMBER_INT) {
      if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        throw new WrongType(
            field.jsonName() + ": integer out of range: " + abbreviate(p.getText()));
      }
      return p.getLongValue();
    }
    if (v == JsonToken.VALUE_NUMBER_FLOAT
        || (v == JsonToken.VALUE_STRING && isPlainNumber(p.getText()))) {
      String text = p.getText().trim();
      try {
        return new BigDecimal(text).longValueExact();
      } catch (ArithmeticException | NumberFormatException e) {
        throw new WrongType(
            field.jsonName() + ": expected a whole number, got " + quoteIfString(v, text));
      }
    }
    throw wrongType(field, "a whole number", v, p);
  }

  private static Double toDouble(CdrField field, JsonToken v, JsonParser p) throws IOException {
    double d;
    if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
      d = p.getDoubleValue();
    } else if (v == JsonToken.VALUE_STRING && isPlainNumber(p.getText())) {
      d = Double.parseDouble(p.getText().trim());
    } else {
      throw wrongType(field, "a number", v, p);
    }
    if (Double.isInfinite(d)) {
      throw new WrongType(field.jsonName() + ": number out of range: " + abbreviate(p.getText()));
    }
    return d;
  }

  private static Object extraValue(JsonToken v, JsonParser p) throws IOException {
    switch (v) {
      case VALUE_NULL:
        return null;
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NUMBER_INT:
        return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
            ? p.getText()
            : (Object) p.getLongValue();
      case VALUE_NUMBER_FLOAT:
        double d = p.getDoubleValue();
        return Double.isInfinite(d) ? p.getText() : (Object) d;
      case VALUE_STRING:
        return p.getText();
      case START_OBJECT:
      case START_ARRAY:
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
          g.copyCurrentStructure(p);
        }
        return new ProcessedRow.JsonText(out.toString());
      default:
        throw new IllegalStateException("unexpected token " + v);
    }
  }

  /** The column type an extra value needs. */
  public static ColumnType typeOf(Object extraValue) {
    return io.cdrpipeline.model.ExtraValues.typeOf(extraValue);
  }

  /** Why a field name cannot become a column, or null if it can. */
  private static String checkName(String name) {
    if (name.length() > InputLimits.MAX_FIELD_NAME_LENGTH) {
      return String.format(
          Locale.ROOT,
          "field name too long: %,d characters (the limit is %d)",
          name.length(),
          InputLimits.MAX_FIELD_NAME_LENGTH);
    }
    if (name.indexOf(0) >= 0) {
      return "field name contains a NUL character: \"" + abbreviate(name) + "\"";
    }
    return null;
  }

  private static boolean outOfRange(long epochSecond) {
    return epochSecond < MIN_EPOCH_SECOND || epochSecond > MAX_EPOCH_SECOND;
  }

  private static boolean isPlainNumber(String s) {
    return PLAIN_NUMBER.matcher(s.trim()).matches();
  }

  private static WrongType wrongType(CdrField field, String expected, JsonToken v, JsonParser p)
      throws IOException {
    String got;
    if (v == JsonToken.VALUE_STRING) {
      got = "\"" + abbreviate(p.getText()) + "\"";
    } else if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
      got = describe(v);
      p.skipChildren();
    } else {
      got = abbreviate(p.getText());
    }
    return new WrongType(field.jsonName() + ": expected " + expected + ", got " + got);
  }

  private static String quoteIfString(JsonToken v, String text) {
    return v == JsonToken.VALUE_STRING ? "\"" + abbreviate(text) + "\"" : abbreviate(text);
  }

  private static String describe(JsonToken t) {
    if (t == null) {
      return "end of input";
    }
    switch (t) {
      case START_ARRAY:
        return "an array";
      case START_OBJECT:
        return "an object";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      default:
        return t.asString() == null ? t.name() : "'" + t.asString() + "'";
    }
  }

  /** At most 40 characters of a value, for a reason. */
  private static String abbreviate(String s) {
    return escapeControls(s.length() <= 40 ? s : s.substring(0, 37) + "...");
  }

  /**
   * Control characters escaped as in JSON: a reason is one printable line (and PostgreSQL refuses
   * NUL).
   */
  private static String escapeControls(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        s.chars()
            .forEach(
                c -> {
                  if (Character.isISOControl(c)) {
                    b.append(String.format("\\u%04x", c));
                  } else {
                    b.append((char) c);
                  }
                });
        return b.toString();
      }
    }
    return s;
  }

  private static String firstLine(String s) {
    return s == null ? "unreadable" : escapeControls(FailureText.firstLine(s));
  }

  private static boolean isBlank(byte[] content) {
    for (byte b : content) {
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return false;
      }
    }
    return true;
  }

  /** A value of the wrong type for a known field; its message is the rejection reason. */
  private static final class WrongType extends IOException {
    private static final long serialVersionUID = 1L;

    WrongType(String message) {
      super(message);
    }
  }
}
