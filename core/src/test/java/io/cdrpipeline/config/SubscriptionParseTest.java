package io.cdrpipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cdrpipeline.notify.Subscription;
import io.cdrpipeline.notify.Subscription.Tls;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class SubscriptionParseTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** An entry as the config loader hands it over: YAML read into plain Java maps and lists. */
  private static Map<String, Object> yaml(String text) throws Exception {
    return YAML.readValue(text, new TypeReference<Map<String, Object>>() {});
  }

  private static Subscription parse(String text) throws Exception {
    return SubscriptionParser.parse(yaml(text), "notifications[0]");
  }

  // ------------------------------------------------------------------ email

  @Test
  void emailWithEveryKey() throws Exception {
    Subscription s =
        parse(
            """
        type: email
        host: smtp.example.com
        port: 2525
        tls: starttls
        user: cdr
        password: s3cret
        from: CDR Pipeline <cdr@example.com>
        to: [ops@example.com, finance@example.com]
        """);
    assertThat(s)
        .isEqualTo(
            new Subscription.Email(
                "smtp.example.com",
                2525,
                Tls.STARTTLS,
                Optional.of("cdr"),
                Optional.of("s3cret"),
                "CDR Pipeline <cdr@example.com>",
                List.of("ops@example.com", "finance@example.com")));
    assertThat(s.toString()).doesNotContain("s3cret");
  }

  @Test
  void emailToMayBeOneAddressAndNeedsNoLogin() throws Exception {
    Subscription s = parse("{type: email, host: mail, from: cdr@example.com, to: ops@example.com}");
    assertThat(s)
        .isEqualTo(
            new Subscription.Email(
                "mail",
                25,
                Tls.NONE,
                Optional.empty(),
                Optional.empty(),
                "cdr@example.com",
                List.of("ops@example.com")));
  }

  @ParameterizedTest(name = "port {0}, tls {1} -> {2} {3}")
  @CsvSource(
      nullValues = "-",
      value = {
        "-,   -,        25,  NONE",
        "-,   none,     25,  NONE",
        "-,   starttls, 587, STARTTLS",
        "-,   ssl,      465, SSL",
        "-,   SSL,      465, SSL",
        "587, -,        587, STARTTLS",
        "465, -,        465, SSL",
        "25,  -,        25,  NONE",
        "2525, -,       2525, NONE",
        "465, none,     465, NONE",
      })
  void emailPortAndTlsDefaultFromEachOther(Integer port, String tls, int wantPort, Tls wantTls)
      throws Exception {
    Map<String, Object> raw =
        yaml("{type: email, host: mail, from: cdr@example.com, to: ops@example.com}");
    if (port != null) {
      raw.put("port", port);
    }
    if (tls != null) {
      raw.put("tls", tls);
    }
    Subscription.Email e = (Subscription.Email) SubscriptionParser.parse(raw, "notifications[0]");
    assertThat(e.port()).isEqualTo(wantPort);
    assertThat(e.tls()).isEqualTo(wantTls);
  }

  // ------------------------------------------------------------------ webhook, sns, log

  @Test
  void webhookDefaultsTheHeader() throws Exception {
    assertThat(parse("{type: webhook, url: 'https://hooks.example.com/cdr?x=1'}"))
        .isEqualTo(
            new Subscription.Webhook(
                URI.create("https://hooks.example.com/cdr?x=1"), Optional.empty(), "X-Cdr-Secret"));
    Subscription s =
        parse("{type: webhook, url: 'http://10.0.0.5:8080/h', secret: tok, header: Authorization}");
    assertThat(s)
        .isEqualTo(
            new Subscription.Webhook(
                URI.create("http://10.0.0.5:8080/h"), Optional.of("tok"), "Authorization"));
    assertThat(s.toString()).doesNotContain("tok");
  }

  @Test
  void snsRegionDefaultsToTheArnsRegion() throws Exception {
    assertThat(parse("{type: sns, topicArn: 'arn:aws:sns:eu-west-1:123456789012:cdr-reports'}"))
        .isEqualTo(
            new Subscription.Sns(
                "arn:aws:sns:eu-west-1:123456789012:cdr-reports", "eu-west-1", Optional.empty()));
    assertThat(
            parse(
                """
        type: sns
        topicArn: arn:aws:sns:us-east-1:000000000000:local.fifo
        region: us-west-2
        endpoint: http://localhost:4566
        """))
        .isEqualTo(
            new Subscription.Sns(
                "arn:aws:sns:us-east-1:000000000000:local.fifo",
                "us-west-2",
                Optional.of(URI.create("http://localhost:4566"))));
    assertThat(parse("{type: sns, topicArn: 'arn:aws-cn:sns:cn-north-1:123456789012:t'}"))
        .isEqualTo(
            new Subscription.Sns(
                "arn:aws-cn:sns:cn-north-1:123456789012:t", "cn-north-1", Optional.empty()));
  }

  @Test
  void logHasNoKeys() throws Exception {
    assertThat(parse("type: log")).isEqualTo(new Subscription.Log());
  }

  @Test
  void aKeyWrittenWithoutValueIsAbsent() throws Exception {
    assertThat(parse("{type: webhook, url: 'https://h.example.com', secret: null}"))
        .isEqualTo(
            new Subscription.Webhook(
                URI.create("https://h.example.com"), Optional.empty(), "X-Cdr-Secret"));
  }

  // ------------------------------------------------------------------ mistakes

  static Stream<Arguments> mistakes() {
    String mail = "type: email\nhost: mail\nfrom: cdr@example.com\n";
    return Stream.of(
        Arguments.of(
            "host: mail", "missing 'notifications[0].type' (one of email, webhook, sns, log)"),
        Arguments.of(
            "type: smtp",
            "bad value for 'notifications[0].type': 'smtp' (one of email, webhook, sns, log)"),
        Arguments.of(
            "type: [email]", "bad value for 'notifications[0].type': expected text, got a list"),
        Arguments.of(
            mail + "to: ops@example.com\nhots: x",
            "unknown key 'notifications[0].hots' (known keys: from, host, password, port, tls, to, type, user)"),
        Arguments.of(
            "type: log\nlevel: info", "unknown key 'notifications[0].level' (known keys: type)"),
        Arguments.of(
            "type: webhook\nurl: https://h.example.com\ntoken: x",
            "unknown key 'notifications[0].token' (known keys: header, secret, type, url)"),
        Arguments.of(
            "type: email\nfrom: cdr@example.com\nto: ops@example.com",
            "missing 'notifications[0].host'"),
        Arguments.of(
            "type: email\nhost: mail\nto: ops@example.com", "missing 'notifications[0].from'"),
        Arguments.of(mail, "missing 'notifications[0].to' (an address or a list of addresses)"),
        Arguments.of(
            mail + "to: []",
            "bad value for 'notifications[0].to': the list is empty (name at least one address)"),
        Arguments.of(mail + "to: '  '", "bad value for 'notifications[0].to': must not be empty"),
        Arguments.of(
            mail + "to: {a: b}",
            "bad value for 'notifications[0].to': expected an address or a list of addresses, got a map"),
        Arguments.of(
            mail + "to: [ops@example.com, 42]",
            "bad value for 'notifications[0].to[1]': expected an address, got the number 42"),
        Arguments.of(
            mail + "to: [ops@example.com, bob]",
            "bad value for 'notifications[0].to[1]': 'bob' is not an email address (Missing final '@domain')"),
        Arguments.of(
            mail + "to: 'a@example.com, b@example.com'",
            "bad value for 'notifications[0].to': 'a@example.com, b@example.com' is not an email address"
                + " (Illegal address; write several addresses as a list)"),
        Arguments.of(
            "type: email\nhost: mail\nfrom: nobody\nto: ops@example.com",
            "bad value for 'notifications[0].from': 'nobody' is not an email address (Missing final '@domain')"),
        Arguments.of(
            mail + "to: ops@example.com\ntls: tls",
            "bad value for 'notifications[0].tls': 'tls' (one of none, starttls, ssl)"),
        Arguments.of(
            mail + "to: ops@example.com\ntls: true",
            "bad value for 'notifications[0].tls': expected text, got true (put it in quotes)"),
        Arguments.of(
            mail + "to: ops@example.com\nport: '587'",
            "bad value for 'notifications[0].port': expected a port number 1 to 65535, got '587'"),
        Arguments.of(
            mail + "to: ops@example.com\nport: 70000",
            "bad value for 'notifications[0].port': 70000 (expected a port number 1 to 65535)"),
        Arguments.of(
            mail + "to: ops@example.com\nport: 25.5",
            "bad value for 'notifications[0].port': expected a port number 1 to 65535, got the number 25.5"),
        Arguments.of(
            mail + "to: ops@example.com\nhost: 42",
            "bad value for 'notifications[0].host': expected text, got the number 42 (put it in quotes)"),
        Arguments.of(
            mail + "to: ops@example.com\nuser: cdr",
            "missing 'notifications[0].password' (needed with 'user')"),
        Arguments.of(
            mail + "to: ops@example.com\npassword: x",
            "missing 'notifications[0].user' ('password' is only used with 'user')"),
        Arguments.of(
            mail + "to: ops@example.com\nuser: cdr\npassword: 123456",
            "bad value for 'notifications[0].password': expected text, got a number (put it in quotes)"),
        Arguments.of("type: webhook", "missing 'notifications[0].url'"),
        Arguments.of(
            "type: webhook\nurl: ftp://files.example.com/x",
            "bad value for 'notifications[0].url': 'ftp://files.example.com/x'"
                + " (expected an http or https URL, e.g. https://example.com/hook)"),
        Arguments.of(
            "type: webhook\nurl: hooks.example.com",
            "bad value for 'notifications[0].url': 'hooks.example.com'"
                + " (expected an http or https URL, e.g. https://example.com/hook)"),
        Arguments.of(
            "type: webhook\nurl: 'http://exa mple.com'",
            "bad value for 'notifications[0].url': 'http://exa mple.com' is not a URL"
                + " (Illegal character in authority at index 7: http://exa mple.com)"),
        Arguments.of(
            "type: webhook\nurl: 'https://me:pw@h.example.com'",
            "bad value for 'notifications[0].url': a user name or password in the URL is not sent"
                + " (use 'secret' and 'header', e.g. header: Authorization)"),
        Arguments.of(
            "type: webhook\nurl: https://h.example.com\nheader: 'X Secret'",
            "bad value for 'notifications[0].header': 'X Secret' is not an HTTP header name (e.g. X-Cdr-Secret)"),
        Arguments.of(
            "type: webhook\nurl: https://h.example.com\nheader: Host",
            "bad value for 'notifications[0].header': 'Host' is set by the HTTP client (use another, e.g. X-Cdr-Secret)"),
        Arguments.of(
            "type: webhook\nurl: https://h.example.com\nsecret: \"a\\nb\"",
            "bad value for 'notifications[0].secret': must not contain line breaks or control characters"),
        Arguments.of("type: sns", "missing 'notifications[0].topicArn'"),
        Arguments.of(
            "type: sns\ntopicArn: cdr-reports",
            "bad value for 'notifications[0].topicArn': 'cdr-reports' (expected arn:aws:sns:REGION:ACCOUNT:NAME,"
                + " e.g. arn:aws:sns:us-east-1:123456789012:cdr-reports)"),
        Arguments.of(
            "type: sns\ntopicArn: 'arn:aws:sqs:us-east-1:123456789012:q'",
            "bad value for 'notifications[0].topicArn': 'arn:aws:sqs:us-east-1:123456789012:q' (expected"
                + " arn:aws:sns:REGION:ACCOUNT:NAME, e.g. arn:aws:sns:us-east-1:123456789012:cdr-reports)"),
        Arguments.of(
            "type: sns\ntopicArn: 'arn:aws:sns:us-east-1:12345:t'",
            "bad value for 'notifications[0].topicArn': 'arn:aws:sns:us-east-1:12345:t' (expected"
                + " arn:aws:sns:REGION:ACCOUNT:NAME, e.g. arn:aws:sns:us-east-1:123456789012:cdr-reports)"),
        Arguments.of(
            "type: sns\ntopicArn: 'arn:aws:sns:us-east-1:123456789012:t'\nregion: US East",
            "bad value for 'notifications[0].region': 'US East' (expected a region such as us-east-1)"),
        Arguments.of(
            "type: sns\ntopicArn: 'arn:aws:sns:us-east-1:123456789012:t'\nendpoint: localhost:4566",
            "bad value for 'notifications[0].endpoint': 'localhost:4566'"
                + " (expected an http or https URL, e.g. https://example.com/hook)"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("mistakes")
  void everyMistakeIsOneLineNamingTheKey(String yaml, String message) throws Exception {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(yaml));
    assertThat(e).as("parsing %s", yaml).isNotNull();
    assertThat(e.getMessage()).isEqualTo(message).doesNotContain("\n");
  }

  @Test
  void theKeyPathIsTheOneGiven() throws Exception {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () -> SubscriptionParser.parse(yaml("type: webhook"), "notifications[3]"));
    assertThat(e.getMessage()).isEqualTo("missing 'notifications[3].url'");
  }

  @Test
  void aNullEntryIsAMistakeToo() {
    Map<String, Object> nothing = null;
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> SubscriptionParser.parse(nothing, "notifications[1]"));
    assertThat(e.getMessage())
        .isEqualTo(
            "bad value for 'notifications[1]': expected keys such as 'type: email', got nothing");
  }

  @Test
  void theRawMapIsNotChanged() throws Exception {
    Map<String, Object> raw =
        new HashMap<>(
            yaml("{type: email, host: mail, from: cdr@example.com, to: ops@example.com}"));
    Map<String, Object> before = new HashMap<>(raw);
    SubscriptionParser.parse(raw, "notifications[0]");
    assertThat(raw).isEqualTo(before);
  }
}
