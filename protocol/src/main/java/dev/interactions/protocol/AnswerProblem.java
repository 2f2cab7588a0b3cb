package dev.interactions.protocol;

/**
 * One way an answer does not fit its interaction's answer schema: where ({@code pointer}, a JSON Pointer into the
 * answer, {@code ""} for the answer as a whole) and what is wrong there.
 */
public record AnswerProblem(String pointer, String message) {}
