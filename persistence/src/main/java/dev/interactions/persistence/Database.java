package dev.interactions.persistence;

import java.sql.Connection;
import java.sql.SQLException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.db.SlickDatabase;
import org.apache.pekko.persistence.jdbc.db.SlickExtension;
import org.apache.pekko.persistence.jdbc.db.SlickExtensionImpl;

/**
 * The connection pool the journal plugin uses, lent to this module's own statements (schema, retention, health) so that
 * nothing opens connections outside it.
 */
final class Database {

  private final SlickDatabase database;

  Database(ActorSystem<?> system) {
    SlickExtensionImpl slick = (SlickExtensionImpl) SlickExtension.get(system);
    this.database = slick.database(system.settings().config().getConfig("jdbc-journal"));
  }

  /** A connection from the pool; the caller closes it, which returns it. */
  Connection connection() throws SQLException {
    return database.database().source().createConnection();
  }
}
