package dev.interactions.archfixtures;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;

/** Each nested class breaks {@code NO_SHARED_CONCURRENT_COLLECTIONS} with one forbidden type, in an instance field. */
public final class ConcurrentRegistries {

  private ConcurrentRegistries() {}

  /** A registry of sessions by id. */
  public static final class WithConcurrentHashMap {
    final ConcurrentHashMap<String, Object> sessions = new ConcurrentHashMap<>();
  }

  /** A registry declared through the interface only. */
  public static final class WithConcurrentMap {
    ConcurrentMap<String, Object> connections;
  }

  /** A sorted registry of interactions. */
  public static final class WithConcurrentSkipListMap {
    final ConcurrentSkipListMap<String, Object> interactions = new ConcurrentSkipListMap<>();
  }

  /** A list of listeners. */
  public static final class WithCopyOnWriteArrayList {
    final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();
  }

  /** A set of listeners. */
  public static final class WithCopyOnWriteArraySet {
    final CopyOnWriteArraySet<Runnable> listeners = new CopyOnWriteArraySet<>();
  }
}
