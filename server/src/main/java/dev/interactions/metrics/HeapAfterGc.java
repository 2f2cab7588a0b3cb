package dev.interactions.metrics;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;

/**
 * The heap in use right after the last collection, summed over the heap pools: what survived, so what is really held.
 * Unlike the used heap, it does not rise and fall with allocation between collections; a leak shows as a line that
 * keeps climbing while the load stays the same.
 */
public final class HeapAfterGc {

  private HeapAfterGc() {}

  /** Bytes in use after the last collection of each heap pool (0 for a pool not collected yet). */
  public static long bytes() {
    long bytes = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage afterCollection = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
      if (afterCollection != null) {
        bytes += afterCollection.getUsed();
      }
    }
    return bytes;
  }
}
