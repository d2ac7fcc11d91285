import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../sim/fixtures.js";
import { citationProblems, slug } from "../support/doc-citations.js";

describe("the repository's citations", () => {
  it("name only documents the repository has, at headings they have", () => {
    expect(citationProblems(REPO_ROOT)).toEqual([]);
  });
});

describe("citationProblems", () => {
  let root: string | undefined;
  afterEach(() => {
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
    root = undefined;
  });

  function repoWith(files: Record<string, string>): string {
    root = mkdtempSync(join(tmpdir(), "segsync-citations-"));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  }

  // Assembled, so that this file itself cites nothing.
  const DESIGN_1 = ["DESIGN", "§1"].join(" ");
  const FACTS_A4 = ["cloud", "facts A4"].join("-");
  const CLOUDS_MD = ["docs", "clouds.md"].join("/");
  const ABSENT_MD = ["docs", "absent.md"].join("/");
  const FOLDER = ["sha", "red"].join("");
  const SIBLING = `../${FOLDER}`;
  const SIBLING_JOIN = `"..", "${FOLDER}"`;
  const CLOUDS = "# Clouds\n\n## AWS\n\n### AWS tags\n\n### GCP Pub/Sub push authentication\n";

  it("finds citations of the design document and the cloud facts, and paths that leave the repository", () => {
    const problems = citationProblems(
      repoWith({
        "lib/a.ts": `/** Ids of ${DESIGN_1}. */\n// (${FACTS_A4})\n`,
        "test/b.test.ts": `readFileSync("../${SIBLING}/fixtures/events/aws.json");\n`,
        "test/c.test.ts": `readFileSync(join(REPO_ROOT, ${SIBLING_JOIN}, "fixtures"));\n`,
        "lib/clouds/aws/c.ts": 'import { x } from "../common/seals.js";\n',
      }),
    );
    expect(problems).toEqual([
      "lib/a.ts:1: cites a section of the design document",
      "lib/a.ts:2: cites the cloud facts",
      "test/b.test.ts:1: cites the folder beside the repository",
      `test/b.test.ts:1: ../${SIBLING}/fixtures/events/aws.json is outside the repository`,
      "test/c.test.ts:1: cites the folder beside the repository",
    ]);
  });

  it("checks each cited heading, across wrapped comment lines", () => {
    const problems = citationProblems(
      repoWith({
        [CLOUDS_MD]: CLOUDS,
        "lib/a.ts": `/**\n * Tags (${CLOUDS_MD},\n * "AWS tags" and "AWS tagz").\n */\n`,
        "lib/b.ts": `// see ${CLOUDS_MD}, "GCP Pub/Sub push authentication"\n`,
        "README.md": `[tags](${CLOUDS_MD}#aws-tags), [push](${CLOUDS_MD}#gcp-pubsub-push), ${ABSENT_MD}\n`,
      }),
    );
    expect(problems).toEqual([
      `lib/a.ts:2: ${CLOUDS_MD} has no heading "AWS tagz"`,
      `README.md:1: ${CLOUDS_MD} has no heading for #gcp-pubsub-push`,
      `README.md:1: ${ABSENT_MD} does not exist`,
    ]);
  });

  it("makes GitHub's anchors", () => {
    expect(slug("GCP Pub/Sub push authentication")).toBe("gcp-pubsub-push-authentication");
    expect(slug("Azure NSG and ASG limits")).toBe("azure-nsg-and-asg-limits");
  });
});
