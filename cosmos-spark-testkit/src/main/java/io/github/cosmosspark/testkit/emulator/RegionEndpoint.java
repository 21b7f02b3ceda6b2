package io.github.cosmosspark.testkit.emulator;

import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One region's endpoint while the emulator runs: its address and host name, whether it takes
 * writes, whether a test has taken it down, its open client connections and what it served. Set
 * from the test's thread and read on the event loops, hence volatile and atomic.
 */
final class RegionEndpoint {

  final String name;
  final InetAddress address;
  final String hostName;
  final boolean acceptsWrites;
  final String account;
  final String writeRegion;
  final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  final AtomicLong readsServed = new AtomicLong();
  final AtomicLong writesServed = new AtomicLong();
  final AtomicLong writesRefused = new AtomicLong();
  private volatile boolean down;

  RegionEndpoint(
      String name,
      InetAddress address,
      String hostName,
      boolean acceptsWrites,
      String account,
      String writeRegion) {
    this.name = name;
    this.address = address;
    this.hostName = hostName;
    this.acceptsWrites = acceptsWrites;
    this.account = account;
    this.writeRegion = writeRegion;
  }

  boolean down() {
    return down;
  }

  /** Closes every connection of this region and refuses new ones until {@link #bringUp()}. */
  void takeDown() {
    down = true;
    clients.close().syncUninterruptibly();
  }

  void bringUp() {
    down = false;
  }

  void resetStatistics() {
    readsServed.set(0);
    writesServed.set(0);
    writesRefused.set(0);
  }

  /**
   * The emulator's answer to a write reaching a read region of an account without multi-region
   * writes: refused, so that a client that routes writes wrongly is caught. What Cosmos does is not
   * confirmed (docs/cosmos-behaviour.md, "Writes to a read region"); this is the emulator's choice.
   */
  String readRegionRefusal() {
    return "Region '"
        + name
        + "' of account '"
        + account
        + "' is a read region and the account does not have multi-region writes enabled:"
        + " writes go to the write region '"
        + writeRegion
        + "' (the emulator refuses them here without running them; what Cosmos does is not"
        + " confirmed)";
  }
}
