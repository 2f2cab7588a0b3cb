package dev.interactions.core;

import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The answer schemas' {@code pattern}s, matched with JDK regular expressions within a time bound: a requester's pattern
 * runs on a device's answer inside the session actor, and a backtracking pattern ({@code ^(\w+\s?)*$} against a long
 * answer that ends badly) would otherwise hold the session, and a dispatcher thread, for an exponential time. A match
 * that runs out of time counts as not matching: the answer is refused, never accepted unchecked.
 */
final class BoundedRegularExpressions implements RegularExpressionFactory {

  private final long boundNanos;

  BoundedRegularExpressions(Duration bound) {
    this.boundNanos = bound.toNanos();
  }

  @Override
  public RegularExpression getRegularExpression(String regex) {
    Pattern pattern = Pattern.compile(regex);
    return value -> {
      try {
        // JSON Schema's pattern is not anchored: find, not matches.
        return pattern.matcher(new Bounded(value, System.nanoTime() + boundNanos)).find();
      } catch (OutOfTime tooSlow) {
        return false;
      }
    };
  }

  /** Ends a match that runs past its deadline: the matcher reads every character through {@link #charAt}. */
  private static final class Bounded implements CharSequence {
    private final CharSequence text;
    private final long deadline;

    Bounded(CharSequence text, long deadline) {
      this.text = text;
      this.deadline = deadline;
    }

    @Override
    public char charAt(int index) {
      if (System.nanoTime() > deadline) {
        throw new OutOfTime();
      }
      return text.charAt(index);
    }

    @Override
    public int length() {
      return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new Bounded(text.subSequence(start, end), deadline);
    }

    @Override
    public String toString() {
      return text.toString();
    }
  }

  private static final class OutOfTime extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OutOfTime() {
      super(null, null, false, false); // thrown to unwind a match, never logged: no stack trace to fill in
    }
  }
}
