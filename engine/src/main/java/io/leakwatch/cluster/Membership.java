package io.leakwatch.cluster;

import java.util.List;

/** The nodes this node can see now, itself included, by node name. */
public interface Membership extends AutoCloseable {
  /** The names of the live members, sorted; never empty while this node runs. */
  List<String> members();

  /** Called (on any thread) whenever a member joins or leaves. */
  void onChange(Runnable listener);

  @Override
  void close();
}
