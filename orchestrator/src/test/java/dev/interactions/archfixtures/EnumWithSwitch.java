package dev.interactions.archfixtures;

/**
 * Keeps {@code NO_MUTABLE_STATIC_FIELDS} honest: enum constants, {@code $VALUES} and the synthetic switch map javac
 * generates for a switch over an enum are not mutable global state.
 */
public final class EnumWithSwitch {

  /** An enum whose constants have bodies, so each is a class of its own. */
  public enum Phase {
    PENDING {
      @Override
      boolean open() {
        return true;
      }
    },
    CLOSED {
      @Override
      boolean open() {
        return false;
      }
    };

    abstract boolean open();
  }

  private EnumWithSwitch() {}

  static String describe(Phase phase) {
    switch (phase) {
      case PENDING:
        return "waiting";
      case CLOSED:
        return "done";
      default:
        return "?";
    }
  }
}
