package dev.interactions.core;

import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.InvalidInputException;
import dev.interactions.protocol.ServerMessage;
import java.util.Collection;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Who may answer an interaction, and who sees it: the token {@code subjects} and {@code roles} it names (anyone when
 * both are empty), minus {@code excludedSubject} (the requester's own subject when it may not answer itself; null when
 * nobody is excluded). Devices that may not answer see the interaction read-only, or not at all with {@link
 * Visibility#ANSWERERS}. {@link #ANYONE} is every interaction's default, and that of every interaction recorded before
 * answerers existed.
 */
public record Answerers(Set<String> subjects, Set<String> roles, String excludedSubject, Visibility visibility) {

  /** Who sees an interaction that a device may not answer. */
  public enum Visibility {
    /** Every device of the session, read-only for those that may not answer. */
    ALL,
    /** Only the devices that may answer it. */
    ANSWERERS;

    /** The visibility a request names ({@code all}, {@code answerers}); {@code field} is named when it is unknown. */
    public static Visibility named(String field, String name) {
      for (Visibility visibility : values()) {
        if (visibility.name().toLowerCase(Locale.ROOT).equals(name)) {
          return visibility;
        }
      }
      throw new InvalidInputException(field, "must be \"all\" or \"answerers\"");
    }
  }

  /** Most subjects and roles one request may name, together: the check of every answer is linear in them. */
  public static final int MAX_NAMED = 100;

  /** Longest subject or role accepted, as long as a token's {@code sub} sensibly gets. */
  public static final int MAX_NAME_LENGTH = 256;

  private static final String NAME_RULE = "must be non-blank strings of at most " + MAX_NAME_LENGTH + " characters";

  /** Anyone connected to the session may answer, and every device sees it. */
  public static final Answerers ANYONE = new Answerers(Set.of(), Set.of(), null, Visibility.ALL);

  public Answerers {
    subjects = subjects == null ? Set.of() : Set.copyOf(subjects);
    roles = roles == null ? Set.of() : Set.copyOf(roles);
    if (visibility == null) {
      visibility = Visibility.ALL;
    }
  }

  /**
   * Only devices whose token names one of {@code subjects} (its {@code sub}) or one of {@code roles} may answer.
   *
   * @throws InvalidInputException when they name nobody, or a name is null (the other bounds are checked with the
   *     request)
   */
  public static Answerers only(Collection<String> subjects, Collection<String> roles) {
    if (subjects.isEmpty() && roles.isEmpty()) {
      throw new InvalidInputException("answerers", "must name at least one subject or role");
    }
    return new Answerers(names("answerers/subjects", subjects), names("answerers/roles", roles), null, Visibility.ALL);
  }

  private static Set<String> names(String field, Collection<String> names) {
    if (names.stream().anyMatch(Objects::isNull)) {
      throw new InvalidInputException(field, NAME_RULE);
    }
    return Set.copyOf(names);
  }

  /** These answerers, except {@code subject} (the requester's own, for a request that it may not answer itself). */
  public Answerers excluding(String subject) {
    return new Answerers(subjects, roles, subject, visibility);
  }

  /** These answerers, seen by {@code seenBy}. */
  public Answerers seenBy(Visibility seenBy) {
    return new Answerers(subjects, roles, excludedSubject, seenBy);
  }

  /** Whether some device may not answer it. */
  boolean restrictsAnyone() {
    return !subjects.isEmpty() || !roles.isEmpty() || excludedSubject != null;
  }

  /** Whether some device is not to hear of it at all: then every frame about it depends on who receives it. */
  boolean hidesFromAnyone() {
    return visibility == Visibility.ANSWERERS && restrictsAnyone();
  }

  /**
   * Whether an answer from {@code device} counts. A device without a verified subject is named by nothing, and is not
   * let through a rule that only excludes someone: it could be that someone.
   */
  boolean admit(Device device) {
    String subject = device.subject();
    if (subject == null) {
      return !restrictsAnyone();
    }
    if (excludedSubject != null && excludedSubject.equals(subject)) {
      return false;
    }
    if (subjects.isEmpty() && roles.isEmpty()) {
      return true;
    }
    if (subjects.contains(subject)) {
      return true;
    }
    return device.roles().stream().anyMatch(roles::contains);
  }

  /** Whether {@code device} hears of the interaction at all. */
  boolean showTo(Device device) {
    return visibility == Visibility.ALL || admit(device);
  }

  /** The frame of pending interaction {@code view} that {@code device} gets: as it is, read-only, or none (null). */
  ServerMessage.Interaction frameFor(Device device, ServerMessage.Interaction view) {
    if (admit(device)) {
      return view;
    }
    return visibility == Visibility.ALL ? view.asReadOnly() : null;
  }

  /**
   * Why {@code device} may not answer interaction {@code interactionId} (nor report it shown, nor extend it): the
   * {@code forbidden} refusal, to the client's message {@code ref}; null if it may.
   */
  ServerMessage.Error refusal(String interactionId, Device device, String ref) {
    if (admit(device)) {
      return null;
    }
    String why =
        excludedSubject != null && excludedSubject.equals(device.subject())
            ? "its requester may not answer it"
            : "its request names who may answer it";
    return new ServerMessage.Error(
        ErrorCode.FORBIDDEN, "this device may not answer interaction " + interactionId + ": " + why, interactionId, ref);
  }

  /**
   * Checks the names against the bounds.
   *
   * @throws InvalidInputException naming the field that is out of bounds
   */
  void validate() {
    if (subjects.size() + roles.size() > MAX_NAMED) {
      throw new InvalidInputException("answerers", "names more than " + MAX_NAMED + " subjects and roles");
    }
    checkNames("answerers/subjects", subjects);
    checkNames("answerers/roles", roles);
  }

  private static void checkNames(String field, Set<String> names) {
    for (String name : names) {
      if (name == null || name.isBlank() || name.length() > MAX_NAME_LENGTH) {
        throw new InvalidInputException(field, NAME_RULE);
      }
    }
  }
}
