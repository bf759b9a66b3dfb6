package io.cdrpipeline.app.lifecycle;

import io.cdrpipeline.app.context.Commands;
import io.cdrpipeline.store.Nesting;
import io.cdrpipeline.store.ObjectInfo;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.store.S3Store;
import io.cdrpipeline.store.StoreLocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The objects the product wrote under a prefix of a bucket (the processed table's files, the
 * reports), local or S3, except what lies inside an untouchable location.
 */
final class StoredObjects {
  private final Untouchable untouchable;
  private final LocalTree local;
  private final Function<StoreLocation, ObjectStore> stores;

  StoredObjects(
      Untouchable untouchable, LocalTree local, Function<StoreLocation, ObjectStore> stores) {
    this.untouchable = Objects.requireNonNull(untouchable, "untouchable is null");
    this.local = Objects.requireNonNull(local, "local is null");
    this.stores = Objects.requireNonNull(stores, "stores is null");
  }

  void survey(String what, Footprint.Prefix prefix, List<Footprint.Part> parts, List<String> kept)
      throws IOException {
    if (prefix.bucket() instanceof StoreLocation.Local l) {
      Path root = Nesting.real(l.root().resolve(prefix.prefix()));
      if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
        return;
      }
      Optional<String> whole = untouchable.why(root);
      LocalTree.Tally t = local.tally(root);
      if (whole.isPresent()) {
        kept.add(what + ": " + t.describe() + " under " + root + ": " + whole.get());
        return;
      }
      t.kept.forEach(k -> kept.add(what + ": " + k));
      if (t.files == 0 && t.folders == 0) {
        return; // nothing but the way to what is kept
      }
      parts.add(
          new Footprint.Part(
              what,
              t.describe() + " under " + root,
              () -> local.removeTree(root) + " under " + root));
      return;
    }
    S3Store s3 = (S3Store) stores.apply(prefix.bucket());
    List<ObjectInfo> objects;
    try {
      s3.checkReadable();
      objects = s3.listAll(prefix.prefix());
    } catch (NoSuchFileException e) {
      return; // no such bucket: nothing of the product there
    }
    List<String> keys = new ArrayList<>();
    long bytes = 0;
    int keptCount = 0;
    String why = null;
    for (ObjectInfo o : objects) {
      Optional<String> u = untouchable.why(s3.bucket(), s3.fullKey(o.key()));
      if (u.isPresent()) {
        keptCount++;
        why = u.get();
      } else {
        keys.add(o.key());
        bytes += o.size();
      }
    }
    if (keptCount > 0) {
      kept.add(what + ": " + keptCount + " objects under " + prefix.display() + ": " + why);
    }
    if (!keys.isEmpty()) {
      long total = bytes;
      parts.add(
          new Footprint.Part(
              what,
              LocalTree.files(keys.size())
                  + ", "
                  + Commands.bytes(total)
                  + " under "
                  + prefix.display(),
              () -> {
                for (String k : keys) {
                  s3.delete(k);
                }
                return LocalTree.files(keys.size()) + " under " + prefix.display();
              }));
    }
  }
}
