package io.github.cosmosspark.core.session;

/** The tests' one way to start from a clean runtime; not part of the library's API. */
public final class CosmosRuntimes {

  private CosmosRuntimes() {}

  /** Forgets throttles, learned rates, the executor count and the warnings given. */
  public static void forgetJobs() {
    CosmosRuntime.get().forgetJobs();
  }
}
