package dev.interactions.core;

/**
 * Marks what is written to the journal or the snapshot store. These types are a storage format: they are serialized
 * with Jackson (bound in {@code reference.conf}), so renaming them or their fields breaks recovery of existing data.
 */
public interface JournalRecord {}
