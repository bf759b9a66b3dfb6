package io.cdrpipeline.store;

import java.util.Objects;

/** An object's content with its metadata as of the read. */
public record StoredObject(ObjectInfo info, byte[] content) {
  public StoredObject {
    Objects.requireNonNull(info, "info");
    Objects.requireNonNull(content, "content");
  }
}
