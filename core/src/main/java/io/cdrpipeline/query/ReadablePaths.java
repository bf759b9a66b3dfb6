package io.cdrpipeline.query;

import java.util.LinkedHashSet;
import java.util.Set;

/** What one statement's views read: the only files and folders its database may open. */
final class ReadablePaths {
  final Set<String> files = new LinkedHashSet<>();
  final Set<String> folders = new LinkedHashSet<>();
}
