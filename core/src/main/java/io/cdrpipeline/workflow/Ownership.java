package io.cdrpipeline.workflow;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Who runs an execution: this process's name as an owner ({@code host:pid:nonce}), whether an
 * execution's owner is gone (its process on this host ended, or its heartbeat is older than {@code
 * staleAfter} by the database's clock), and the claim that takes one over.
 */
final class Ownership {
  private final ExecutionStore store;
  private final Duration staleAfter;
  private final String owner;

  Ownership(ExecutionStore store, Duration staleAfter) {
    this.store = Objects.requireNonNull(store, "store is null");
    this.staleAfter = Objects.requireNonNull(staleAfter, "staleAfter is null");
    this.owner =
        host()
            + ":"
            + ProcessHandle.current().pid()
            + ":"
            + UUID.randomUUID().toString().substring(0, 8);
  }

  /** This process's name as an owner of executions. */
  String owner() {
    return owner;
  }

  /**
   * True if nobody runs this execution any more: no owner, an owner on this host whose process is
   * gone, or an owner whose heartbeat is older than the stale limit by the database's clock (hosts'
   * clocks differ; the database's is the one all of them share).
   */
  boolean isOrphaned(Execution e) {
    if (e.status().isFinal()) {
      return false;
    }
    if (e.owner().isEmpty()) {
      return true;
    }
    String o = e.owner().get();
    if (o.equals(owner)) {
      return false;
    }
    return ownerGone(o) || store.isStale(e.id(), o, staleAfter);
  }

  /** Running executions that nobody runs any more. */
  List<Execution> orphans() {
    Set<String> stale = store.staleRunning(staleAfter);
    List<Execution> out = new ArrayList<>();
    for (Execution e : store.running()) {
      Optional<String> o = e.owner();
      if (o.isEmpty()
          || (!o.get().equals(owner) && (stale.contains(e.id()) || ownerGone(o.get())))) {
        out.add(e);
      }
    }
    return out;
  }

  /**
   * Takes over an orphaned execution; true if this process won it. The staleness of the owner's
   * heartbeat is checked in the same conditional write that changes the owner.
   */
  boolean claim(Execution e) {
    if (e.status().isFinal()) {
      return false;
    }
    Optional<String> o = e.owner();
    if (o.isPresent() && o.get().equals(owner)) {
      return false;
    }
    boolean atOnce = o.isEmpty() || ownerGone(o.get());
    return store.claim(
        e.id(), o.orElse(null), owner, atOnce ? Optional.empty() : Optional.of(staleAfter));
  }

  /** True if an owner names a process on this host that no longer exists. */
  private static boolean ownerGone(String o) {
    String[] parts = o.split(":");
    if (parts.length >= 3 && parts[0].equals(host())) {
      try {
        long pid = Long.parseLong(parts[1]);
        // its process on this host is gone: no need to wait for the heartbeat to go stale
        return pid != ProcessHandle.current().pid()
            && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
      } catch (NumberFormatException ignored) {
        return false; // not one of ours: judge by the heartbeat
      }
    }
    return false;
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}
