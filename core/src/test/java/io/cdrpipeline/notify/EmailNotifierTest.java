package io.cdrpipeline.notify;

import static io.cdrpipeline.notify.Fixtures.FAST;
import static io.cdrpipeline.notify.Fixtures.LINK;
import static io.cdrpipeline.notify.Fixtures.report;
import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.cdrpipeline.notify.Subscription.Tls;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.ConnectException;
import java.util.List;
import java.util.Optional;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EmailNotifierTest {
  @RegisterExtension
  static final GreenMailExtension SMTP = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

  private static Subscription.Email email(int port, Tls tls, String user, String password) {
    return new Subscription.Email(
        "127.0.0.1",
        port,
        tls,
        Optional.ofNullable(user),
        Optional.ofNullable(password),
        "CDR Pipeline <cdr@example.com>",
        List.of("ops@example.com", "finance@example.com"));
  }

  private static Delivery publishOnce(Subscription s) {
    try (Topic topic = Topic.of(List.of(s), FAST)) {
      List<Delivery> out = topic.publish(report());
      assertThat(out).hasSize(1);
      return out.get(0);
    }
  }

  private static String text(MimeMessage m) throws Exception {
    return ((String) m.getContent()).replace("\r\n", "\n");
  }

  @Test
  void mailHasSubjectBodyLinkExecutionSenderAndRecipients() throws Exception {
    Delivery d = publishOnce(email(SMTP.getSmtp().getPort(), Tls.NONE, null, null));

    assertThat(d)
        .isEqualTo(
            new Delivery(
                "email to ops@example.com, finance@example.com", true, 1, Optional.empty()));
    MimeMessage[] received = SMTP.getReceivedMessages();
    assertThat(received).hasSize(2); // one copy per recipient mailbox
    MimeMessage m = received[0];
    assertThat(m.getSubject()).isEqualTo("Monthly CDR report ready");
    assertThat(m.getFrom())
        .extracting(Address::toString)
        .containsExactly("CDR Pipeline <cdr@example.com>");
    assertThat(m.getRecipients(Message.RecipientType.TO))
        .extracting(Address::toString)
        .containsExactly("ops@example.com", "finance@example.com");
    assertThat(m.getContentType()).startsWith("text/plain").containsIgnoringCase("charset=UTF-8");
    assertThat(text(m))
        .isEqualTo(
            "The report for 2026-11 is ready.\n\n"
                + LINK
                + "\n\nExecution: exec-42 (report, SUCCEEDED)");
  }

  @Test
  void bodyWithoutLinkHasNoEmptyLinkLine() {
    Notification n =
        new Notification("s", "Crawl failed.", "exec-7", "daily", "FAILED", Optional.empty());
    assertThat(EmailNotifier.body(n))
        .isEqualTo("Crawl failed.\n\nExecution: exec-7 (daily, FAILED)");
  }

  @Test
  void logsInWhenUserIsSetAndKeepsNonAsciiSubject() throws Exception {
    SMTP.setUser("cdr@example.com", "cdr", "s3cret");
    Subscription.Email s = email(SMTP.getSmtp().getPort(), Tls.NONE, "cdr", "s3cret");
    Notification n =
        new Notification(
            "Rapport prêt – 11/2026", "Prêt.", "exec-9", "report", "SUCCEEDED", Optional.empty());

    List<Delivery> out = Topic.of(List.of(s), FAST).publish(n);

    assertThat(out).extracting(Delivery::delivered).containsExactly(true);
    assertThat(SMTP.getReceivedMessages()).hasSize(2);
    assertThat(SMTP.getReceivedMessages()[0].getSubject()).isEqualTo("Rapport prêt – 11/2026");
  }

  @Test
  void wrongPasswordIsAFailedDelivery() {
    SMTP.setUser("cdr@example.com", "cdr", "s3cret");

    Delivery d = publishOnce(email(SMTP.getSmtp().getPort(), Tls.NONE, "cdr", "wrong"));

    assertThat(d.delivered()).isFalse();
    assertThat(d.attempts()).as("a refused login is not retried").isEqualTo(1);
    assertThat(d.error()).get(as(STRING)).containsIgnoringCase("auth");
    assertThat(SMTP.getReceivedMessages()).isEmpty();
  }

  @Test
  void nothingListeningIsReportedAfterEveryAttemptWithoutThrowing() throws Exception {
    int port = Fixtures.closedPort();

    Delivery d = publishOnce(email(port, Tls.NONE, null, null));

    assertThat(d.delivered()).isFalse();
    assertThat(d.attempts()).isEqualTo(FAST.attempts());
    assertThat(d.error())
        .get(as(STRING))
        .contains(Integer.toString(port))
        .containsIgnoringCase("connect");
  }

  @Test
  void smtpRepliesSayWhatIsRetried() throws Exception {
    EmailNotifier n = new EmailNotifier(email(25, Tls.NONE, null, null));
    Address[] none = new Address[0];
    // 4xx: try again later; 5xx: permanent (RFC 5321), wrapped the way Transport throws them
    assertThat(
            n.isTransient(
                new jakarta.mail.SendFailedException(
                    "send failed",
                    new SMTPSendFailedException(
                        "DATA", 451, "451 4.3.0 try again later", null, none, none, none))))
        .isTrue();
    assertThat(
            n.isTransient(
                new jakarta.mail.SendFailedException(
                    "send failed",
                    new SMTPSendFailedException(
                        "DATA",
                        554,
                        "554 5.7.1 rejected: temporary failure",
                        null,
                        none,
                        none,
                        none))))
        .isFalse();
    assertThat(
            n.isTransient(
                new SMTPAddressFailedException(
                    new InternetAddress("a@b.c"), "RCPT TO", 550, "550 no such user")))
        .isFalse();
    assertThat(
            n.isTransient(
                new SMTPAddressFailedException(
                    new InternetAddress("a@b.c"), "RCPT TO", 452, "452 mailbox full")))
        .isTrue();
    assertThat(
            n.isTransient(
                new jakarta.mail.MessagingException(
                    "STARTTLS is required but host does not support STARTTLS")))
        .isFalse();
    assertThat(
            n.isTransient(
                new jakarta.mail.MessagingException(
                    "could not connect", new ConnectException("refused"))))
        .isTrue();
  }

  @Test
  void starttlsIsRequiredNotJustTried() {
    // GreenMail offers no STARTTLS: sending in clear text instead would be the mistake
    Delivery d = publishOnce(email(SMTP.getSmtp().getPort(), Tls.STARTTLS, null, null));

    assertThat(d.delivered()).isFalse();
    assertThat(d.error()).get(as(STRING)).contains("STARTTLS");
    assertThat(SMTP.getReceivedMessages()).isEmpty();
  }

  @Test
  void sslSpeaksTlsFromTheFirstByteAndChecksTheCertificate() {
    // GreenMail's SMTPS certificate is self-signed: refusing it shows the handshake happened
    // and that an untrusted server does not get the mail
    GreenMail smtps = new GreenMail(ServerSetupTest.SMTPS.dynamicPort());
    smtps.start();
    try {
      Delivery d = publishOnce(email(smtps.getSmtps().getPort(), Tls.SSL, null, null));

      assertThat(d.delivered()).isFalse();
      assertThat(d.error()).get(as(STRING)).containsIgnoringCase("certificat");
      assertThat(smtps.getReceivedMessages()).isEmpty();
    } finally {
      smtps.stop();
    }
  }
}
