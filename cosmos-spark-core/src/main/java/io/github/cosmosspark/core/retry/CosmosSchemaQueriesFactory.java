package io.github.cosmosspark.core.retry;

import com.datastax.oss.driver.internal.core.context.InternalDriverContext;
import com.datastax.oss.driver.internal.core.metadata.schema.queries.DefaultSchemaQueriesFactory;
import com.datastax.oss.driver.internal.core.metadata.schema.queries.SchemaQueries;
import com.datastax.oss.driver.internal.core.metadata.schema.queries.SchemaRows;
import java.util.concurrent.CompletableFuture;

/**
 * The driver's schema queries, which fail as a failed future rather than by throwing when the
 * control connection is down. Driver 4.18.1 catches the throw on a path that leaves its refresh in
 * progress for good: every later schema refresh of the session is queued behind it and never runs,
 * so one refresh asked for during an outage made every table lookup of a cached session hang. A
 * failed future takes the driver's normal path, which ends the refresh and starts the queued one.
 */
final class CosmosSchemaQueriesFactory extends DefaultSchemaQueriesFactory {
  CosmosSchemaQueriesFactory(InternalDriverContext context) {
    super(context);
  }

  @Override
  public SchemaQueries newInstance() {
    try {
      return super.newInstance();
    } catch (IllegalStateException e) {
      return () -> {
        CompletableFuture<SchemaRows> failed = new CompletableFuture<>();
        failed.completeExceptionally(e);
        return failed;
      };
    }
  }
}
