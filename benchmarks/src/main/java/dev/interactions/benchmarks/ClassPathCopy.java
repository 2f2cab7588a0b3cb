package dev.interactions.benchmarks;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A private copy of this JVM's class path, taken before measuring: the measuring JVMs load their classes from it, so
 * that an {@code mvn install} of the orchestrator by someone else during the run cannot swap a jar under them (which
 * ends a running actor system with a {@code NoClassDefFoundError}).
 */
record ClassPathCopy(Path directory, String classPath) implements AutoCloseable {

  static ClassPathCopy take() throws IOException {
    Path directory = Files.createTempDirectory("embedded-core-benchmark-");
    List<String> entries = new ArrayList<>();
    int n = 0;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path source = Path.of(entry);
      if (Files.isRegularFile(source)) {
        Path copy = directory.resolve(n++ + "-" + source.getFileName());
        Files.copy(source, copy);
        entries.add(copy.toString());
      } else if (Files.isDirectory(source)) {
        Path copy = directory.resolve(n++ + "-" + source.getFileName());
        copyTree(source, copy);
        entries.add(copy.toString());
      }
    }
    return new ClassPathCopy(directory, String.join(File.pathSeparator, entries));
  }

  @Override
  public void close() throws IOException {
    deleteTree(directory);
  }

  /** Deletes {@code directory} and everything under it (also used for the benchmarks' H2 directories). */
  static void deleteTree(Path directory) throws IOException {
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  private static void copyTree(Path source, Path target) throws IOException {
    try (Stream<Path> paths = Files.walk(source)) {
      paths.forEach(
          path -> {
            try {
              Files.copy(path, target.resolve(source.relativize(path).toString()));
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    }
  }
}
