package io.github.cosmosspark.core.retry;

import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.ColumnDefinitions;
import com.datastax.oss.driver.api.core.cql.ExecutionInfo;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import io.github.cosmosspark.core.metrics.RequestMetrics;
import java.util.concurrent.CompletionStage;

/**
 * One page of a result whose next page is fetched through {@link RetryingSession}: the driver's own
 * {@code fetchNextPage()} resends a rate-limited page only as its retry policy decides, at once.
 * Sending the statement again with this page's paging state is what the driver does itself.
 */
final class RetryingAsyncResultSet implements AsyncResultSet {
  private final AsyncResultSet page;
  private final RetryingSession session;
  private final RequestMetrics metrics;

  RetryingAsyncResultSet(AsyncResultSet page, RetryingSession session, RequestMetrics metrics) {
    this.page = page;
    this.session = session;
    this.metrics = metrics;
  }

  @Override
  public ColumnDefinitions getColumnDefinitions() {
    return page.getColumnDefinitions();
  }

  @Override
  public ExecutionInfo getExecutionInfo() {
    return page.getExecutionInfo();
  }

  @Override
  public int remaining() {
    return page.remaining();
  }

  @Override
  public Iterable<Row> currentPage() {
    return page.currentPage();
  }

  @Override
  public boolean hasMorePages() {
    return page.hasMorePages();
  }

  @Override
  public CompletionStage<AsyncResultSet> fetchNextPage() {
    if (!page.hasMorePages()) {
      throw new IllegalStateException(
          "This is the last page of the result; check hasMorePages() first.");
    }
    ExecutionInfo info = page.getExecutionInfo();
    Statement<?> statement = (Statement<?>) info.getRequest();
    return session.executeWithRetries(statement.copy(info.getPagingState()), metrics);
  }

  @Override
  public boolean wasApplied() {
    return page.wasApplied();
  }
}
