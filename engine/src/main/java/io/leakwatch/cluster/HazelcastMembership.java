package io.leakwatch.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node as a member of a Vert.x cluster on Hazelcast: TCP/IP join with the configured member
 * list (no multicast), and failure detection tuned so a killed node leaves the member list within
 * seconds rather than Hazelcast's default minute. Each member carries its node name as a member
 * attribute; the member list is read from Hazelcast.
 */
public final class HazelcastMembership implements Membership {
  private static final Logger LOG = LoggerFactory.getLogger(HazelcastMembership.class);

  /** The member attribute that carries the node name. */
  static final String NODE_NAME = "leakwatch.node";

  /** A member silent this long is removed (Hazelcast's default is 60 s). */
  static final int MAX_NO_HEARTBEAT_SECONDS = 6;

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  private HazelcastMembership(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
  }

  /** Joins the cluster; blocks until this node is a member (alone, if nobody else is up). */
  public static HazelcastMembership join(ClusterSettings settings) throws Exception {
    HazelcastClusterManager manager = new HazelcastClusterManager(config(settings));
    Vertx vertx =
        Vertx.builder()
            .with(
                new VertxOptions()
                    .setEventBusOptions(new EventBusOptions().setHost(settings.host()).setPort(0)))
            .withClusterManager(manager)
            .buildClustered()
            .toCompletionStage()
            .toCompletableFuture()
            .get(120, TimeUnit.SECONDS);
    HazelcastMembership membership = new HazelcastMembership(vertx, manager.getHazelcastInstance());
    membership.hazelcast.getCluster().addMembershipListener(membership.new Changes());
    LOG.info(
        "joined cluster {} as node {} ({}:{}); members now: {}",
        settings.clusterName(),
        settings.nodeName(),
        settings.host(),
        settings.port(),
        String.join(", ", membership.members()));
    return membership;
  }

  /** Vert.x's own Hazelcast settings, with this node's network, join and failure detection. */
  static Config config(ClusterSettings settings) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(settings.clusterName());
    config.getMemberAttributeConfig().setAttribute(NODE_NAME, settings.nodeName());
    config
        .getNetworkConfig()
        .setPort(settings.port())
        .setPortAutoIncrement(false)
        .setPublicAddress(settings.host() + ":" + settings.port());
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(settings.host());
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(settings.members());
    config
        .setProperty("hazelcast.logging.type", "slf4j")
        .setProperty("hazelcast.phone.home.enabled", "false")
        .setProperty("hazelcast.health.monitoring.level", "OFF")
        .setProperty("hazelcast.socket.bind.any", "false")
        .setProperty("hazelcast.shutdownhook.enabled", "false")
        .setProperty("hazelcast.heartbeat.interval.seconds", "1")
        .setProperty(
            "hazelcast.max.no.heartbeat.seconds", Integer.toString(MAX_NO_HEARTBEAT_SECONDS))
        .setProperty("hazelcast.wait.seconds.before.join", "1")
        // After a partition heals, the two sides merge again within seconds.
        .setProperty("hazelcast.merge.first.run.delay.seconds", "10")
        .setProperty("hazelcast.merge.next.run.delay.seconds", "10");
    return config;
  }

  @Override
  public List<String> members() {
    try {
      return hazelcast.getCluster().getMembers().stream()
          .map(HazelcastMembership::nodeName)
          .distinct() // two nodes under one name count once: the quorum is of nodes, not processes
          .sorted()
          .toList();
    } catch (RuntimeException e) {
      // Hazelcast shutting down (or shut down under us): this node sees nobody.
      return List.of();
    }
  }

  private static String nodeName(Member member) {
    String name = member.getAttribute(NODE_NAME);
    return name == null ? member.getUuid().toString() : name;
  }

  @Override
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  private final class Changes implements MembershipListener {
    @Override
    public void memberAdded(MembershipEvent event) {
      LOG.info(
          "cluster member joined: {}; members now: {}",
          nodeName(event.getMember()),
          String.join(", ", members()));
      listeners.forEach(Runnable::run);
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
      LOG.warn(
          "cluster member left: {}; members now: {}",
          nodeName(event.getMember()),
          String.join(", ", members()));
      listeners.forEach(Runnable::run);
    }
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("leaving the cluster did not finish cleanly: {}", e.toString());
    }
  }
}
