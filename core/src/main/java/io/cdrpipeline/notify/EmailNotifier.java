package io.cdrpipeline.notify;

import io.cdrpipeline.notify.Subscription.Tls;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.time.Instant;
import java.util.Date;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;

/** Sends a plain-text mail through an SMTP server. */
final class EmailNotifier implements Notifier {
  private static final String TIMEOUT_MS = "30000";

  private final Subscription.Email email;
  private final Session session;

  EmailNotifier(Subscription.Email email) {
    this.email = email;
    this.session = Session.getInstance(properties(email));
  }

  private static Properties properties(Subscription.Email e) {
    // "smtps" makes the first bytes a TLS handshake; "smtp" speaks plain SMTP, maybe upgraded
    String protocol = e.tls() == Tls.SSL ? "smtps" : "smtp";
    String p = "mail." + protocol + ".";
    Properties props = new Properties();
    props.setProperty("mail.transport.protocol", protocol);
    props.setProperty(p + "host", e.host());
    props.setProperty(p + "port", Integer.toString(e.port()));
    props.setProperty(p + "connectiontimeout", TIMEOUT_MS);
    props.setProperty(p + "timeout", TIMEOUT_MS);
    props.setProperty(p + "writetimeout", TIMEOUT_MS);
    props.setProperty(p + "auth", Boolean.toString(e.user().isPresent()));
    if (e.tls() == Tls.STARTTLS) {
      // required, not just enabled: otherwise a server (or a man in the middle) that does not
      // offer STARTTLS gets the password and the message in clear text
      props.setProperty(p + "starttls.enable", "true");
      props.setProperty(p + "starttls.required", "true");
    }
    if (e.tls() != Tls.NONE) {
      props.setProperty(p + "ssl.checkserveridentity", "true");
    }
    return props;
  }

  @Override
  public void send(Notification n) throws MessagingException {
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress(email.from(), true));
    m.setRecipients(
        Message.RecipientType.TO, InternetAddress.parse(String.join(",", email.to()), true));
    m.setSubject(n.subject(), "UTF-8");
    m.setText(body(n), "UTF-8");
    m.setSentDate(Date.from(Instant.now()));
    m.saveChanges();
    try (Transport t = session.getTransport()) {
      t.connect(
          email.host(), email.port(), email.user().orElse(null), email.password().orElse(null));
      t.sendMessage(m, m.getAllRecipients());
    }
  }

  /** The message, the link after a blank line, then the execution it is about. */
  static String body(Notification n) {
    return n.messageWithLink() + "\n\n" + n.executionLine();
  }

  /**
   * SMTP says itself whether to try again: a 4xx reply is temporary, a 5xx reply permanent (RFC
   * 5321). A refused login is permanent; failing to connect or a timeout is I/O trouble and
   * transient; any other refusal (e.g. no STARTTLS offered) is not.
   */
  @Override
  public boolean isTransient(Exception e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SMTPSendFailedException s) {
        return s.getReturnCode() / 100 == 4;
      }
      if (t instanceof SMTPAddressFailedException s) {
        return s.getReturnCode() / 100 == 4;
      }
      if (t instanceof SMTPSenderFailedException s) {
        return s.getReturnCode() / 100 == 4;
      }
      if (t instanceof AuthenticationFailedException) {
        return false;
      }
      if (t instanceof IOException) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String describe() {
    return "email to " + String.join(", ", email.to());
  }
}
