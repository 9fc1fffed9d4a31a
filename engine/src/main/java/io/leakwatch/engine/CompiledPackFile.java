package io.leakwatch.engine;

import com.espertech.esper.common.client.EPCompiled;
import com.espertech.esper.common.client.EPCompiledManifest;
import io.leakwatch.cep.EsperRules;
import io.leakwatch.cep.StreamLineage;
import io.leakwatch.rulepack.RuleDefinition;
import io.leakwatch.rulepack.RulePack;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.drools.compiler.compiler.io.memory.MemoryFileSystem;
import org.drools.compiler.kie.builder.impl.InternalKieModule;
import org.drools.compiler.kie.builder.impl.KieBuilderImpl;
import org.drools.compiler.kie.builder.impl.MemoryKieModule;
import org.drools.modelcompiler.CanonicalKieModule;
import org.kie.api.KieServices;
import org.kie.api.builder.ReleaseId;
import org.kie.api.builder.model.KieModuleModel;

/**
 * A compiled rule pack as bytes: the Esper modules' generated classes and manifests, and the Drools
 * kjar of executable-model classes, under the key they were compiled for and a SHA-256 of the
 * whole, so a truncated or altered file is refused rather than deployed.
 */
final class CompiledPackFile {
  private static final String FORMAT = "leakwatch compiled pack 2";
  private static final int DIGEST = 32;

  /** Refused bytes: not this format, another key, another pack's shape, or damaged. */
  static final class Unusable extends Exception {
    Unusable(String message) {
      super(message);
    }
  }

  /** What compiling produced, before the KieBase is made from the kjar. */
  record Compiled(EsperRules epl, InternalKieModule drl) {}

  private CompiledPackFile() {}

  static byte[] write(String key, Compiled compiled) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 20);
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeUTF(FORMAT);
    out.writeUTF(key);
    writeModules(out, compiled.epl().shared());
    writeModules(out, compiled.epl().rules());
    ReleaseId release = compiled.drl().getReleaseId();
    out.writeUTF(release.getGroupId());
    out.writeUTF(release.getArtifactId());
    out.writeUTF(release.getVersion());
    byte[] kjar = compiled.drl().getBytes();
    out.writeInt(kjar.length);
    out.write(kjar);
    // Which streams each rule reads, worked out now so no alert waits for it at run time.
    Map<String, List<String>> lineage = compiled.epl().lineage().byRule();
    out.writeInt(lineage.size());
    for (Map.Entry<String, List<String>> rule : lineage.entrySet()) {
      out.writeUTF(rule.getKey());
      out.writeInt(rule.getValue().size());
      for (String stream : rule.getValue()) {
        out.writeUTF(stream);
      }
    }
    out.flush();
    out.write(sha256(bytes.toByteArray()));
    return bytes.toByteArray();
  }

  /**
   * The pack's compiled form from {@code bytes}, or {@link Unusable} saying why not. The kjar is
   * checked and kept as bytes: making the Drools module of it ({@link Stored#drl()}) is left to
   * whoever needs the KieBase.
   */
  static Stored read(byte[] bytes, String key, RulePack pack) throws Unusable {
    if (bytes.length < DIGEST) {
      throw new Unusable("truncated");
    }
    byte[] body = Arrays.copyOf(bytes, bytes.length - DIGEST);
    if (!Arrays.equals(sha256(body), Arrays.copyOfRange(bytes, body.length, bytes.length))) {
      throw new Unusable("checksum does not match its contents");
    }
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(body));
      if (!in.readUTF().equals(FORMAT)) {
        throw new Unusable("not a " + FORMAT + " file");
      }
      if (!in.readUTF().equals(key)) {
        throw new Unusable("compiled for another pack or toolchain");
      }
      List<RuleDefinition.Source> sharedSources = pack.shared();
      List<EsperRules.Module> shared = new ArrayList<>();
      List<EsperRules.Module> rules = new ArrayList<>();
      readModules(
          in,
          sharedSources.size(),
          (i, ruleId, compiled) -> {
            shared.add(new EsperRules.Module(null, sharedSources.get(i).origin(), compiled));
          });
      readModules(
          in,
          pack.rules().size(),
          (i, ruleId, compiled) -> {
            RuleDefinition rule = pack.rules().get(i);
            if (!rule.id().equals(ruleId)) {
              throw new Unusable("module " + i + " is " + ruleId + ", the pack's is " + rule.id());
            }
            rules.add(new EsperRules.Module(rule.id(), rule.epl().origin(), compiled));
          });
      String group = in.readUTF();
      String artifact = in.readUTF();
      String version = in.readUTF();
      byte[] kjar = new byte[in.readInt()];
      in.readFully(kjar);
      Map<String, List<String>> lineage = new LinkedHashMap<>();
      int lineageRules = in.readInt();
      for (int r = 0; r < lineageRules; r++) {
        String ruleId = in.readUTF();
        int count = in.readInt();
        List<String> streams = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          streams.add(in.readUTF());
        }
        lineage.put(ruleId, streams);
      }
      if (in.available() != 0) {
        throw new Unusable("trailing bytes");
      }
      return new Stored(
          EsperRules.of(pack, shared, rules, StreamLineage.of(lineage)),
          group,
          artifact,
          version,
          kjar);
    } catch (IOException | RuntimeException e) {
      throw new Unusable(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /** A compiled pack as read back: the Esper modules ready to deploy, the kjar still as bytes. */
  record Stored(EsperRules epl, String group, String artifact, String version, byte[] kjar) {
    /** The Drools module of the stored kjar (executable-model classes). */
    InternalKieModule drl() {
      KieServices services = KieServices.get();
      ReleaseId release = services.newReleaseId(group, artifact, version);
      // The module model KieBuilder gives a kjar without kmodule.xml (reading that XML would need
      // drools-xml-support).
      KieModuleModel model = services.newKieModuleModel();
      KieBuilderImpl.setDefaultsforEmptyKieModule(model);
      return new CanonicalKieModule(
          new MemoryKieModule(release, model, MemoryFileSystem.readFromJar(kjar)));
    }
  }

  private static void writeModules(DataOutputStream out, List<EsperRules.Module> modules)
      throws IOException {
    out.writeInt(modules.size());
    for (EsperRules.Module module : modules) {
      out.writeUTF(module.ruleId() == null ? "" : module.ruleId());
      module.compiled().getManifest().write(out);
      Map<String, byte[]> classes = module.compiled().getClasses();
      out.writeInt(classes.size());
      for (Map.Entry<String, byte[]> c : classes.entrySet()) {
        out.writeUTF(c.getKey());
        out.writeInt(c.getValue().length);
        out.write(c.getValue());
      }
    }
  }

  private interface ModuleSink {
    void accept(int index, String ruleId, EPCompiled compiled) throws Unusable;
  }

  private static void readModules(DataInputStream in, int expected, ModuleSink sink)
      throws IOException, Unusable {
    int count = in.readInt();
    if (count != expected) {
      throw new Unusable(count + " modules where the pack has " + expected);
    }
    for (int i = 0; i < count; i++) {
      String ruleId = in.readUTF();
      EPCompiledManifest manifest = EPCompiledManifest.read(in);
      int classCount = in.readInt();
      Map<String, byte[]> classes = new LinkedHashMap<>();
      for (int c = 0; c < classCount; c++) {
        String name = in.readUTF();
        byte[] code = new byte[in.readInt()];
        in.readFully(code);
        classes.put(name, code);
      }
      sink.accept(i, ruleId, new EPCompiled(classes, manifest));
    }
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
