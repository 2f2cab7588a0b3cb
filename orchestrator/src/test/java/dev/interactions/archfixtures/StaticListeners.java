package dev.interactions.archfixtures;

import java.util.ArrayList;
import java.util.List;

/** Breaks {@code NO_STATIC_COLLECTIONS} through a collection rather than a map: a global list of listeners. */
public final class StaticListeners {

  static final List<Runnable> LISTENERS = new ArrayList<>();

  private StaticListeners() {}
}
