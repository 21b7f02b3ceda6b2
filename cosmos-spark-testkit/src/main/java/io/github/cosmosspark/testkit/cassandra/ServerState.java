package io.github.cosmosspark.testkit.cassandra;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Properties;
import javax.net.ssl.SSLContext;

/**
 * What a server keeps in its working directory across starts: its ports, the user's password,
 * whether that password has been set in Cassandra yet, and the TLS stores with their password. Made
 * on the first start and read back on later ones, so a restart, or a new server on the same
 * directory, finds its data readable at the same address with the same credentials.
 *
 * <p>Guarded by the owning {@link CassandraServer}'s lock.
 */
final class ServerState {

  private final ServerDirectory directory;
  private final SecureRandom random = new SecureRandom();

  private int nativePort;
  private int storagePort;
  private int jmxPort;
  private String password;
  private boolean passwordApplied;
  private String storePassword;
  private SSLContext clientSslContext;

  ServerState(ServerDirectory directory) {
    this.directory = directory;
  }

  /** Whether the state is complete: loaded or made, and saved. */
  boolean loaded() {
    return password != null;
  }

  /**
   * Reads the state file, choosing what it lacks, writes TLS material if missing, and saves the
   * result. Does nothing once loaded.
   *
   * @param requestedNativePort the builder's port, or 0 for the remembered or a free one
   */
  void loadOrCreate(int requestedNativePort) {
    if (loaded()) {
      return;
    }
    Path stateFile = directory.stateFile();
    Properties state = new Properties();
    if (Files.isRegularFile(stateFile)) {
      try (InputStream in = Files.newInputStream(stateFile)) {
        state.load(in);
      } catch (IOException e) {
        throw new CassandraServerException("Could not read " + stateFile, e);
      }
    }
    // Ports first: a port in use must fail before anything is half set up.
    nativePort =
        choosePort(requestedNativePort, state.getProperty("nativePort"), "native transport");
    storagePort = choosePort(0, state.getProperty("storagePort"), "storage");
    jmxPort = choosePort(0, state.getProperty("jmxPort"), "JMX");
    storePassword = state.getProperty("storePassword", randomSecret());
    passwordApplied = Boolean.parseBoolean(state.getProperty("passwordApplied", "false"));
    try {
      clientSslContext = ServerTls.ensureMaterial(directory, storePassword);
    } catch (IOException e) {
      throw new CassandraServerException("Could not write TLS key material", e);
    }
    // Set last: it marks the state as complete.
    password = state.getProperty("password", randomSecret());
    save();
  }

  /** Records that Cassandra now has {@link #password()} instead of its default one. */
  void markPasswordApplied() {
    passwordApplied = true;
    save();
  }

  /** The CQL port; 0 before the first {@link #loadOrCreate}. */
  int nativePort() {
    return nativePort;
  }

  int storagePort() {
    return storagePort;
  }

  int jmxPort() {
    return jmxPort;
  }

  /** The user's password; null until loaded. */
  String password() {
    return password;
  }

  boolean passwordApplied() {
    return passwordApplied;
  }

  String storePassword() {
    return storePassword;
  }

  SSLContext clientSslContext() {
    return clientSslContext;
  }

  private void save() {
    Properties state = new Properties();
    state.setProperty("password", password);
    state.setProperty("passwordApplied", Boolean.toString(passwordApplied));
    state.setProperty("storePassword", storePassword);
    state.setProperty("nativePort", Integer.toString(nativePort));
    state.setProperty("storagePort", Integer.toString(storagePort));
    state.setProperty("jmxPort", Integer.toString(jmxPort));
    try (OutputStream out = Files.newOutputStream(directory.stateFile())) {
      state.store(out, "cosmos-spark testkit server state; test credentials only");
    } catch (IOException e) {
      throw new CassandraServerException("Could not write server state", e);
    }
  }

  private static int choosePort(int requested, String remembered, String purpose) {
    if (requested > 0) {
      if (!isFree(requested)) {
        throw new CassandraServerException(
            "The "
                + purpose
                + " port "
                + requested
                + " on "
                + CassandraServer.HOST
                + " is already in use. Choose another port, or leave it unset to use a free one.");
      }
      return requested;
    }
    if (remembered != null) {
      return Integer.parseInt(remembered);
    }
    try (ServerSocket socket =
        new ServerSocket(0, 1, InetAddress.getByName(CassandraServer.HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new CassandraServerException("Could not find a free " + purpose + " port", e);
    }
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(CassandraServer.HOST, port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private String randomSecret() {
    StringBuilder secret = new StringBuilder();
    String alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for (int i = 0; i < 24; i++) {
      secret.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return secret.toString();
  }
}
