package io.cdrpipeline.config;

import io.cdrpipeline.notify.Subscription;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Checks the {@code notifications:} list; each entry is read by {@link SubscriptionParser}. */
final class NotificationKeys {
  static List<Subscription> validate(List<Map<String, Object>> raw, Path file) {
    List<Subscription> notifications = new ArrayList<>();
    if (raw == null) {
      return notifications;
    }
    for (int i = 0; i < raw.size(); i++) {
      Map<String, Object> entry = raw.get(i);
      if (entry == null) {
        throw new ConfigException(
            "bad value for 'notifications[" + i + "]' in " + file + ": empty entry");
      }
      notifications.add(SubscriptionParser.parse(entry, "notifications[" + i + "]"));
    }
    return notifications;
  }

  private NotificationKeys() {}
}
