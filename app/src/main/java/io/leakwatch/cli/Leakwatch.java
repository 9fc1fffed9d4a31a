package io.leakwatch.cli;

import io.leakwatch.config.ConfigException;
import io.leakwatch.profile.ProfileException;
import io.leakwatch.rulepack.RulePackException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The leakwatch command line. Exit codes: 0 success, 1 the run found a problem, 2 bad usage or
 * config.
 */
public final class Leakwatch {
  private static final String USAGE =
      """
      usage: leakwatch <command> [options]

      commands:
        demo    run the engine against the built-in simulated org, end to end over gRPC/TLS
                  --seed N (7)  --users N (500)  --seconds S (20)  --out DIR (leakwatch-demo)
                  --date YYYY-MM-DD (2026-03-10)  --rules DIR (default pack)
        bench   replay simulated events through decode → Esper → Drools and print events/s and latency
                  --events N (200000)  --seed N (7)  --users N (5000)  --rules DIR (default pack)
                  --scenarios all|none|ID,ID (all): none measures false positives on background traffic alone
                  --alerts FILE  write the alerts as JSON Lines
        run     watch every org of a configuration file (Salesforce or a simulator), with the HTTP API
                  --config FILE  --log-format json|text (json)  --log-file FILE (also write JSON logs here)
        config check FILE    validate a configuration (profiles, rules compiled) and print what run would do
        health  ask a running process's API for /health (the container's HEALTHCHECK)
                  --config FILE  --url URL (from the api: section)
        rules validate DIR   compile every EPL and DRL file, the profile and the test cases
                  --profile FILE (DIR/test-profile.yaml)
        rules test DIR       run every rule's test cases (DIR/<rule>/tests/*.json)
                  --profile FILE (DIR/test-profile.yaml)  --junit FILE
        replay FILE  run a JSON Lines file of events (channel + Salesforce fields) through the rules
                  --profile FILE  --rules DIR (default pack)  --out FILE (stdout)  --sort (by EventDate first)
        drill   a leak drill: scenarios through the real path, with an HTML/JSON/JUnit report and a manifest
                  --scenarios all|ID,...|LW-NNN,... (all)  --seed N (7)  --days D (1)  --users N (500)
                  --seconds S (20)  --date YYYY-MM-DD (2026-03-10)  --rules DIR (default pack)
                  --out DIR (leakwatch-drills/drill-<time>)  --history FILE (DIR/../drill-history.jsonl)
                  --sign-key KEY.pem  sign the manifest (Ed25519 or ECDSA P-256, unencrypted PEM)
                  --engine URL --engine-org NAME  drill an engine running elsewhere through its API (token in
                  $LEAKWATCH_API_TOKEN or --engine-token-env VAR; --engine-cacert PEM): the simulator serves
                  the drill org on --host ADDR (127.0.0.1) --port N (7443); --home DIR (leakwatch-remote-drill)
        drill prepare  write the drill org's profile and certificate and print its engine configuration
                  --home DIR  --seed N  --users N  --host ADDR  --port N  --name HOST (how the engine reaches it)
        drill verify DIR  check every file of a drill against its manifest and signature
                  --public-key PEM  require the manifest to be signed by this key
        simulate  serve the simulated org as a standalone Pub/Sub endpoint on TLS
                  --port N (7443)  --host ADDR (127.0.0.1)  --seed N (7)  --users N (500)
                  --seconds S (60)  --out DIR (leakwatch-sim)  --date YYYY-MM-DD (2026-03-10)
                  --scenarios all|none|ID,ID (all)  --scenario-dir DIR  scenario files of your own
                  --export FILE  write the day as JSON Lines (for replay) instead of serving it
        audit verify FILE  check the response actions' hash-chained audit log; names the first broken line
      """;

  private Leakwatch() {}

  public static void main(String[] argv) {
    System.exit(execute(Arrays.asList(argv), System.out, System.err));
  }

  static int execute(List<String> argv, PrintStream out, PrintStream err) {
    if (argv.isEmpty() || argv.get(0).equals("help") || argv.get(0).equals("--help")) {
      out.print(USAGE);
      return argv.isEmpty() ? 2 : 0;
    }
    String command = argv.get(0);
    List<String> rest = argv.subList(1, argv.size());
    try {
      return switch (command) {
        case "demo" -> DemoCommand.run(new Args(rest, DemoCommand.OPTIONS), out);
        case "bench" -> BenchCommand.run(new Args(rest, BenchCommand.OPTIONS), out);
        case "run" -> RunCommand.run(new Args(rest, RunCommand.OPTIONS), out);
        case "config" -> ConfigCommand.run(rest, out);
        case "health" -> HealthCommand.run(new Args(rest, HealthCommand.OPTIONS), out);
        case "drill" -> DrillCommand.run(rest, out, err);
        case "simulate" -> SimulateCommand.run(new Args(rest, SimulateCommand.OPTIONS), out);
        case "rules" -> RulesCommand.run(rest, out, err);
        case "replay" -> ReplayCommand.run(rest, out, err);
        case "audit" -> AuditCommand.run(rest, out, err);
        default -> throw new Args.UsageException("unknown command '" + command + "'");
      };
    } catch (Args.UsageException e) {
      err.println("leakwatch: " + e.getMessage());
      err.print(USAGE);
      return 2;
    } catch (ProfileException | RulePackException | ConfigException e) {
      err.println("leakwatch: " + e.getMessage());
      return 2;
    } catch (Exception e) {
      // Engine start-up waits on futures; say what actually failed, not the wrapper.
      Throwable cause =
          e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
              ? e.getCause()
              : e;
      err.println("leakwatch: " + command + " failed: " + cause.getMessage());
      return 1;
    }
  }
}
