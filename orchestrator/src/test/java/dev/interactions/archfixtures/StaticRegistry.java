package dev.interactions.archfixtures;

import java.util.HashMap;
import java.util.Map;

/** Breaks {@code NO_STATIC_COLLECTIONS}: a global map of sessions by id. */
public final class StaticRegistry {

  static final Map<String, Object> SESSIONS_BY_ID = new HashMap<>();

  private StaticRegistry() {}
}
