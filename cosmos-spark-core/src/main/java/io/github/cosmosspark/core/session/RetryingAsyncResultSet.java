package io.github.cosmosspark.core.session;

import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.ColumnDefinitions;
import com.datastax.oss.driver.api.core.cql.ExecutionInfo;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import io.github.cosmosspark.core.cql.CqlRequest;
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
  private final CqlRequest request;
  private final RequestMetrics metrics;
  private final int rowsInPage;
  private final int askedPageSize;

  RetryingAsyncResultSet(
      AsyncResultSet page,
      RetryingSession session,
      CqlRequest request,
      RequestMetrics metrics,
      int askedPageSize) {
    this.page = page;
    this.session = session;
    this.request = request;
    this.metrics = metrics;
    this.rowsInPage = page.remaining();
    this.askedPageSize = askedPageSize;
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
    Statement<?> next = statement.copy(info.getPagingState());
    int pageSize = session.nextPageSize(request, page, rowsInPage, askedPageSize);
    if (pageSize > 0) {
      next = next.setPageSize(pageSize);
    }
    return session.executeWithRetries(next, request, metrics, askedPageSize);
  }

  @Override
  public boolean wasApplied() {
    return page.wasApplied();
  }
}
