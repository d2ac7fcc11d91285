import { describe, expect, it } from "vitest";
import type { CliIo } from "../../cli/io.js";
import { main } from "../../cli/main.js";

/** `segsync estate export`: what it refuses before reading anything. */
async function run(args: readonly string[]) {
  const output = { out: "", err: "" };
  const io: CliIo = {
    out: (text) => {
      output.out += text;
    },
    err: (text) => {
      output.err += text;
    },
  };
  const exitCode = await main(["node", "segsync", "estate", "export", ...args], io);
  return { exitCode, ...output };
}

describe("segsync estate export: before any read", () => {
  it("reads only the real clouds: without --live --config it says so", async () => {
    for (const args of [[], ["--config", "examples/live-config.yaml"], ["--live"]]) {
      const result = await run(args);
      expect(result.exitCode).toBe(1);
      expect(result.out).toBe("");
      expect(result.err).toBe(
        "segsync estate export: it reads the real clouds: give --live --config FILE (the accounts, subscriptions and projects)\n",
      );
    }
  });

  it("refuses an --aws-endpoint that is not an http(s) URL", async () => {
    const result = await run([
      "--live",
      "--config",
      "examples/live-config.yaml",
      "--aws-endpoint",
      "moto:5000",
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.err).toBe(
      "segsync estate export: --aws-endpoint moto:5000: expected an http:// or https:// URL\n",
    );
  });

  it("reports every issue of the config and of the policy, as validate does", async () => {
    const result = await run([
      "--live",
      "--config",
      "examples/policy.yaml",
      "--policy",
      "examples/live-config.yaml",
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.out).toBe("");
    expect(result.err).toMatch(/^examples\/policy\.yaml:\d+:\d+ /m);
    expect(result.err).toMatch(/^examples\/live-config\.yaml:\d+:\d+ /m);
  });

  it("is listed under `estate` in the help", async () => {
    const result = await run(["--help"]);
    expect(result.out).toContain("--live");
    expect(result.out).toContain("--out <file>");
    expect(result.out).toContain("--policy <file>");
  });
});
