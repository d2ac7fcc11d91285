/**
 * `explain` names only the rules whose own services admit the probe (docs/explain.md): a grant
 * merges every rule from one source to one destination, whatever their services.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { explain } from "../../cli/commands/explain.js";
import type { FlowExplanation } from "../../cli/flows.js";
import { withAdmin } from "../flows/rule-services-support.js";
import { REPO_ROOT } from "../policy/fixtures.js";

const AWS = "aws:111111111111:us-east-1";
const WEB = `${AWS}:i-0a00000000000001`;
const API = `${AWS}:i-0a00000000000003`;

const folder = mkdtempSync(join(tmpdir(), "segsync-explain-rules-"));
const policy = join(folder, "policy-v2.yaml");
writeFileSync(policy, withAdmin("policy-v2.yaml"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function explained(from: string, to: string, port: string): Promise<FlowExplanation> {
  const said: string[] = [];
  const io = { out: (text: string) => said.push(text), err: (text: string) => said.push(text) };
  const estate = join(REPO_ROOT, "examples", "estate.yaml");
  const code = await explain({ policy, estate, from, to, port, json: true }, io);
  expect(code).toBe(0);
  return JSON.parse(said.join("")) as FlowExplanation;
}

describe("explain names the rules that admit the probe, at both ends", () => {
  it("leaves out a rule of the same grant for another service", async () => {
    const web = await explained(WEB, API, "tcp/8080");
    expect(web.verdict).toBe("allowed");
    expect(web.rules).toEqual(["shop-prod#0"]);
    expect(web.source?.rules).toEqual(["shop-prod#0"]);
    const ssh = await explained(WEB, API, "tcp/22");
    expect(ssh.rules).toEqual(["admin#0"]);
    expect(ssh.source?.rules).toEqual(["admin#0"]);
  }, 60_000);

  it("does so for an address outside the estate", async () => {
    const gateway = await explained(API, "198.51.100.7", "tcp/443");
    expect(gateway.source?.rules).toEqual(["shop-prod#3"]);
  }, 60_000);
});
