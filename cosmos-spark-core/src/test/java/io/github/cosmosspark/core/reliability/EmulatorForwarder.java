package io.github.cosmosspark.core.reliability;

import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.tls.IssuedCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ServerSocketFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * An endpoint in front of the emulator that presents its own face to clients (a TLS certificate of
 * its choosing, or plain text) and relays the bytes of every connection whose handshake succeeds to
 * the emulator over TLS. It counts what clients sent after the handshake, so a test can tell that a
 * refused connection carried nothing. Public for the secrets sweep (datasource), which sends the
 * key through it with TLS weakened.
 */
public final class EmulatorForwarder implements AutoCloseable {
  private final ServerSocket server;
  private final CosmosEmulator emulator;
  private final AtomicLong bytesFromClients = new AtomicLong();
  private final AtomicInteger handshakesFailed = new AtomicInteger();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final ExecutorService relays =
      Executors.newCachedThreadPool(
          task -> {
            Thread thread = new Thread(task, "emulator-forwarder");
            thread.setDaemon(true);
            return thread;
          });

  private EmulatorForwarder(ServerSocketFactory sockets, CosmosEmulator emulator)
      throws IOException {
    this.server = sockets.createServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    this.emulator = emulator;
    relays.execute(this::accept);
  }

  /** Presents {@code certificate} over TLS. */
  public static EmulatorForwarder presenting(IssuedCertificate certificate, CosmosEmulator emulator)
      throws IOException, GeneralSecurityException {
    char[] password = "forwarder".toCharArray();
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(certificate.keystore("forwarder", password), password);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, null);
    return new EmulatorForwarder(context.getServerSocketFactory(), emulator);
  }

  /** Speaks plain text to clients. */
  public static EmulatorForwarder plainText(CosmosEmulator emulator) throws IOException {
    return new EmulatorForwarder(ServerSocketFactory.getDefault(), emulator);
  }

  /** The port it listens on, at 127.0.0.1. */
  public int port() {
    return server.getLocalPort();
  }

  /** Bytes clients sent over connections whose handshake succeeded. */
  public long bytesFromClients() {
    return bytesFromClients.get();
  }

  /**
   * TLS handshakes that did not complete, most often because the client refused the certificate.
   */
  public int handshakesFailed() {
    return handshakesFailed.get();
  }

  /**
   * {@link #handshakesFailed()}, waiting up to {@code wait} for the first: the client's alert
   * reaches this side a moment after the client has given up and reported its error.
   */
  public int handshakesFailedWaitingUpTo(Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (handshakesFailed.get() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    return handshakesFailed.get();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        open.add(client);
        relays.execute(() -> relay(client));
      } catch (IOException e) {
        // Closed: the loop ends.
      }
    }
  }

  private void relay(Socket client) {
    if (client instanceof SSLSocket) {
      try {
        ((SSLSocket) client).startHandshake();
      } catch (IOException refused) {
        handshakesFailed.incrementAndGet();
        closeQuietly(client);
        return;
      }
    }
    Socket upstream;
    try {
      upstream =
          emulator
              .clientSslContext()
              .getSocketFactory()
              .createSocket(emulator.host(), emulator.port());
      open.add(upstream);
    } catch (IOException e) {
      closeQuietly(client);
      return;
    }
    relays.execute(() -> pump(upstream, client, null));
    pump(client, upstream, bytesFromClients);
  }

  private void pump(Socket from, Socket to, AtomicLong counter) {
    byte[] buffer = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int read;
      while ((read = in.read(buffer)) >= 0) {
        if (counter != null) {
          counter.addAndGet(read);
        }
        out.write(buffer, 0, read);
        out.flush();
      }
    } catch (IOException e) {
      // One side went away; close both below.
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private void closeQuietly(Socket socket) {
    open.remove(socket);
    try {
      socket.close();
    } catch (IOException e) {
      // Already gone.
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket socket : open) {
      closeQuietly(socket);
    }
    relays.shutdownNow();
  }
}
