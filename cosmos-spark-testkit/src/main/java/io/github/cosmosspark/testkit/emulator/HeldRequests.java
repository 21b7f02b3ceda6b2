package io.github.cosmosspark.testkit.emulator;

/**
 * What server-side retry did on one table: requests held over the throughput and then run, requests
 * held until the limit and answered with a timeout, and the time all of them were held.
 */
public final class HeldRequests {
  private final long ran;
  private final long timedOut;
  private final long heldMillis;

  HeldRequests(long ran, long timedOut, long heldMillis) {
    this.ran = ran;
    this.timedOut = timedOut;
    this.heldMillis = heldMillis;
  }

  /** Requests held because their table was over its throughput, then run. */
  public long ran() {
    return ran;
  }

  /** Requests held until the limit and answered with a read or write timeout, never run. */
  public long timedOut() {
    return timedOut;
  }

  /** The milliseconds all held requests were held, summed. */
  public long heldMillis() {
    return heldMillis;
  }

  @Override
  public String toString() {
    return "HeldRequests{ran="
        + ran
        + ", timedOut="
        + timedOut
        + ", heldMillis="
        + heldMillis
        + "}";
  }
}
