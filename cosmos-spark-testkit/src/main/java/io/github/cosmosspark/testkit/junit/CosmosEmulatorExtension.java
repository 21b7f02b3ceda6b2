package io.github.cosmosspark.testkit.junit;

import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one {@link CosmosEmulator} for the whole test run, in front of the run's shared Cassandra
 * (see {@link CassandraExtension}), and injects it. Tests create their keyspaces through the
 * emulator, with Cosmos DDL, and should use names of their own.
 */
public final class CosmosEmulatorExtension implements ParameterResolver {

  private static final Namespace NAMESPACE = Namespace.create(CosmosEmulatorExtension.class);

  /** The run's shared emulator, started on first use. */
  public static CosmosEmulator sharedEmulator(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            "emulator",
            key ->
                new SharedEmulator(
                    CosmosEmulator.builder(CassandraExtension.sharedServer(context))
                        // The run's one emulator outlives every test class, and the sessions
                        // classes keep sit idle while others run: closing them after Cosmos's
                        // 4 minutes made their drivers reconnect in the middle of unrelated tests
                        // (seen in CI as a thread ConcurrentJobsTest counted as leaked). The idle
                        // close is tested on emulators of its own (IdleConnectionsTest).
                        .idleTimeout(java.time.Duration.ZERO)
                        .build()
                        .start()),
            SharedEmulator.class)
        .emulator;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == CosmosEmulator.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return sharedEmulator(context);
  }

  // Both interfaces, as in CassandraExtension: closed once whichever JUnit version runs.
  @SuppressWarnings("deprecation")
  static final class SharedEmulator
      implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    final CosmosEmulator emulator;

    SharedEmulator(CosmosEmulator emulator) {
      this.emulator = emulator;
    }

    @Override
    public void close() {
      emulator.close();
    }
  }
}
