package dev.interactions.archfixtures;

/** Breaks {@code NO_MUTABLE_STATIC_FIELDS}: a global counter anyone can overwrite. */
public final class MutableGlobal {

  static int liveConnections;

  private MutableGlobal() {}
}
