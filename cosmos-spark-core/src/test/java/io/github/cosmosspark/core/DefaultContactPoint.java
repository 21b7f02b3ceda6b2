package io.github.cosmosspark.core;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Listens on 127.0.0.1:9042, where Java driver 4 connects when it is left with no contact point,
 * and counts who comes: a test asserts that nothing did. If the port is taken, counts nothing; the
 * test's assertions on the error still hold.
 */
public final class DefaultContactPoint implements AutoCloseable {
  private final AtomicInteger accepted = new AtomicInteger();
  private final ServerSocket socket;

  public DefaultContactPoint() {
    ServerSocket bound;
    try {
      bound = new ServerSocket(9042, 50, InetAddress.getByName("127.0.0.1"));
    } catch (IOException e) {
      bound = null;
    }
    socket = bound;
    if (socket != null) {
      Thread acceptor = new Thread(this::accept, "default-contact-point");
      acceptor.setDaemon(true);
      acceptor.start();
    }
  }

  /** Connections accepted so far. */
  public int accepted() {
    return accepted.get();
  }

  private void accept() {
    while (!socket.isClosed()) {
      try (Socket client = socket.accept()) {
        accepted.incrementAndGet();
      } catch (IOException closed) {
        return;
      }
    }
  }

  @Override
  public void close() throws IOException {
    if (socket != null) {
      socket.close();
    }
  }
}
