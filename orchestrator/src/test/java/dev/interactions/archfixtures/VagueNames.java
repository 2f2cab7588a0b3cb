package dev.interactions.archfixtures;

/** Each nested class breaks {@code NO_VAGUE_CLASS_NAMES} with one forbidden suffix. */
public final class VagueNames {

  private VagueNames() {}

  /** Suffix {@code Manager}. */
  public static final class SessionManager {}

  /** Suffix {@code Helper}. */
  public static final class JsonHelper {}

  /** Suffix {@code Util}. */
  public static final class IdUtil {}

  /** Suffix {@code Utils}. */
  public static final class IdUtils {}

  /** Suffix {@code Impl}. */
  public static final class DirectoryImpl {}
}
